export { fillPolygon, rasterizePolygon } from './polygon.js';
export type { PolygonPoint } from './polygon.js';
