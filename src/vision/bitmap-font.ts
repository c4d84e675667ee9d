import type { RgbImage } from '../core/index.js';

/**
 * A built-in 3×5 pixel font (digits, capital letters, a few symbols) for numbering overlays without
 * system fonts. Each glyph is five rows of three cells, '#' = ink. Lower case draws as upper case;
 * unknown characters draw as blank cells.
 */
const GLYPHS: Record<string, string> = {
  '0': '### #.# #.# #.# ###', '1': '.#. ##. .#. .#. ###', '2': '### ..# ### #.. ###',
  '3': '### ..# .## ..# ###', '4': '#.# #.# ### ..# ..#', '5': '### #.. ### ..# ###',
  '6': '### #.. ### #.# ###', '7': '### ..# ..# .#. .#.', '8': '### #.# ### #.# ###',
  '9': '### #.# ### ..# ###', A: '.#. #.# ### #.# #.#', B: '##. #.# ##. #.# ##.',
  C: '.## #.. #.. #.. .##', D: '##. #.# #.# #.# ##.', E: '### #.. ##. #.. ###',
  F: '### #.. ##. #.. #..', G: '.## #.. #.# #.# .##', H: '#.# #.# ### #.# #.#',
  I: '### .#. .#. .#. ###', J: '..# ..# ..# #.# .#.', K: '#.# #.# ##. #.# #.#',
  L: '#.. #.. #.. #.. ###', M: '#.# ### ### #.# #.#', N: '##. #.# #.# #.# #.#',
  O: '.#. #.# #.# #.# .#.', P: '##. #.# ##. #.. #..', Q: '.#. #.# #.# ##. .##',
  R: '##. #.# ##. #.# #.#', S: '.## #.. .#. ..# ##.', T: '### .#. .#. .#. .#.',
  U: '#.# #.# #.# #.# ###', V: '#.# #.# #.# #.# .#.', W: '#.# #.# ### ### #.#',
  X: '#.# #.# .#. #.# #.#', Y: '#.# #.# .#. .#. .#.', Z: '### ..# .#. #.. ###',
  '-': '... ... ### ... ...', '.': '... ... ... ... .#.', ':': '... .#. ... .#. ...',
  '#': '#.# ### #.# ### #.#', '/': '..# ..# .#. #.. #..', ' ': '... ... ... ... ...',
};

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;
/** One blank column between glyphs. */
const GLYPH_ADVANCE = GLYPH_WIDTH + 1;

/** Pixel size of `text` drawn at `scale` (each font cell becomes scale × scale pixels). */
export function measureText(text: string, scale: number): { width: number; height: number } {
  const characters = [...text].length;
  return { width: characters === 0 ? 0 : (characters * GLYPH_ADVANCE - 1) * scale, height: GLYPH_HEIGHT * scale };
}

function setPixel(image: RgbImage, x: number, y: number, colour: readonly [number, number, number]): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  image.data.set(colour, (y * image.width + x) * 3);
}

/** Draws `text` with its top-left corner at (left, top), clipped to the image. */
export function drawText(
  image: RgbImage,
  text: string,
  left: number,
  top: number,
  colour: readonly [number, number, number],
  scale = 2,
): void {
  let cursor = left;
  for (const character of text.toUpperCase()) {
    const rows = (GLYPHS[character] ?? GLYPHS[' '] ?? '').split(' ');
    rows.forEach((row, rowIndex) => {
      [...row].forEach((cell, columnIndex) => {
        if (cell !== '#') return;
        for (let dy = 0; dy < scale; dy += 1) {
          for (let dx = 0; dx < scale; dx += 1) {
            setPixel(image, cursor + columnIndex * scale + dx, top + rowIndex * scale + dy, colour);
          }
        }
      });
    });
    cursor += GLYPH_ADVANCE * scale;
  }
}

/** Fills the rectangle [left, right) × [top, bottom), clipped to the image. */
export function fillRectangle(
  image: RgbImage,
  left: number,
  top: number,
  right: number,
  bottom: number,
  colour: readonly [number, number, number],
): void {
  for (let y = Math.max(0, top); y < Math.min(image.height, bottom); y += 1) {
    for (let x = Math.max(0, left); x < Math.min(image.width, right); x += 1) setPixel(image, x, y, colour);
  }
}
