/** The app layer: one config schema and one workspace opener every surface (CLI, server, library) goes through. */
export { CONFIG_FILE_NAMES, appConfigSchema, findConfigFile, loadAppConfig, parseAppConfig, readConfigFile } from './config.js';
export type { AppConfig, EvolveSection, ServerConfig, StoreConfig } from './config.js';
export { OPENAI_BASE_URL_ENV, OPENAI_DEFAULT_BASE_URL, applyModelFlags, hasModelFlags } from './model-flags.js';
export type { ModelFlags } from './model-flags.js';
export { missingEmbedder, noEmbedderError, openConfiguredLessonStore, openLessonStore } from './lesson-store.js';
export { loadWorkspaceConfig, openWorkspace } from './workspace.js';
export type { ConfigSources, OpenWorkspaceOptions, ResolvedEvolve, Workspace } from './workspace.js';
export { INIT_TARGETS, initConfigText } from './init-config.js';
export type { InitTarget } from './init-config.js';
