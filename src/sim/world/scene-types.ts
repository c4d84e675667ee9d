/** The data of a SynthWorld scene: everything needed to render it again, bit for bit. */
import type { Point, ShapeGeometry } from './shapes.js';
import type { ColourName, Rgb } from './vocabulary.js';

export interface SceneObject extends ShapeGeometry {
  readonly colour: ColourName;
  /** The integer polygon the object is drawn as (and exported as). */
  readonly polygon: readonly Point[];
}

export type SceneBackground =
  | { readonly kind: 'flat'; readonly colour: Rgb }
  | {
      readonly kind: 'gradient';
      readonly from: Rgb;
      readonly to: Rgb;
      readonly direction: 'horizontal' | 'vertical' | 'diagonal';
    }
  | { readonly kind: 'noise'; readonly colour: Rgb; readonly amplitude: number; readonly seed: number };

export interface Scene {
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  readonly background: SceneBackground;
  /** In drawing order: later objects cover earlier ones. */
  readonly objects: readonly SceneObject[];
}
