/** `npm run build:web`: build the web UI into dist/web now, even when the last build looks fresh. */
import { ensureWebBuild } from './build-web.js';

const { dir } = await ensureWebBuild({ force: true });
process.stdout.write(`web UI built into ${dir}\n`);
