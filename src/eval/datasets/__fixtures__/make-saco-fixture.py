#!/usr/bin/env python3
"""Writes a tiny SA-Co/Gold fixture in the released layout (needs numpy + pycocotools for the RLEs).

    python3 src/eval/datasets/__fixtures__/make-saco-fixture.py

saco/gold_tiny_merged_{a,b}_release_test.json: COCO-style files as facebookresearch/sam3
scripts/eval/gold/README.md describes them (images = image–phrase pairs with text_input and
is_instance_exhaustive; annotations = instance masks as COCO RLE with string counts; bbox normalised).
saco/images/: the two images of the RefCOCO fixture. saco/predictions.json: hand-made predictions
(name → RLE or list of instance RLEs) used by the score test.
"""
import json
import os
import shutil

import numpy as np
from pycocotools import mask as mask_utils

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'saco')
SIZES = {1: (24, 32), 2: (20, 18)}
FILES = {1: 'COCO_train2014_000000000001.png', 2: 'COCO_train2014_000000000002.png'}


def poly(image, points):
    h, w = SIZES[image]
    rle = mask_utils.merge(mask_utils.frPyObjects([points], h, w))
    return mask_utils.decode(rle)


def rle(m):
    r = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
    r['counts'] = r['counts'].decode()
    return r


CAT = poly(1, [2.3, 3.7, 13.7, 5.2, 12.1, 15.7, 3.9, 14.4])
DOG_A = poly(1, [17.0, 2.0, 24.5, 2.0, 24.5, 9.5, 17.0, 9.5])
DOG_B = poly(1, [20.2, 12.6, 30.5, 12.9, 25.4, 21.0])
TRIANGLE = poly(2, [0.0, 0.0, 17.9, 0.4, 6.2, 12.2])
GRASS = np.zeros(SIZES[2], dtype=np.uint8)
GRASS[14:, :] = 1


def pair(pair_id, image, text, exhaustive=1):
    h, w = SIZES[image]
    return {'id': pair_id, 'file_name': FILES[image], 'height': h, 'width': w, 'text_input': text,
            'is_instance_exhaustive': exhaustive, 'is_pixel_exhaustive': 1}


def ann(ann_id, pair_id, m, crowd=0):
    h, w = m.shape
    r = rle(m)
    x, y, bw, bh = mask_utils.toBbox(mask_utils.encode(np.asfortranarray(m.astype(np.uint8))))
    return {'id': ann_id, 'image_id': pair_id, 'segmentation': r, 'bbox': [x / w, y / h, bw / w, bh / h],
            'area': int(m.sum()), 'iscrowd': crowd, 'category_id': 1}


def main():
    os.makedirs(os.path.join(OUT, 'images'), exist_ok=True)
    for name in FILES.values():
        shutil.copy(os.path.join(HERE, 'refer', 'images', name), os.path.join(OUT, 'images', name))
    pairs_a = [pair(10, 1, 'cat'), pair(11, 1, 'dog'), pair(12, 1, 'unicorn'), pair(13, 1, 'animal', 0),
               pair(14, 2, 'sky'), pair(20, 2, 'triangle')]
    anns_a = [ann(1, 10, CAT), ann(2, 11, DOG_A), ann(3, 11, DOG_B), ann(4, 20, TRIANGLE), ann(5, 20, GRASS, crowd=1), ann(6, 13, CAT)]
    # Annotator b: the dog as one group mask; pair 14 not instance-exhaustive (so it is left out for all).
    pairs_b = [dict(p, is_instance_exhaustive=0) if p['id'] == 14 else p for p in pairs_a]
    anns_b = [ann(1, 10, CAT), ann(2, 11, DOG_A | DOG_B), ann(4, 20, TRIANGLE)]
    categories = [{'id': 1, 'name': 'object'}]
    for suffix, pairs, anns in (('a', pairs_a, anns_a), ('b', pairs_b, anns_b)):
        with open(os.path.join(OUT, f'gold_tiny_merged_{suffix}_release_test.json'), 'w') as f:
            json.dump({'images': pairs, 'annotations': anns, 'categories': categories}, f)
    small = np.zeros(SIZES[1], dtype=np.uint8)
    small[20:23, 1:4] = 1
    predictions = {'10': rle(CAT), '11': [rle(DOG_A), rle(DOG_B)], '12': rle(small)}
    with open(os.path.join(OUT, 'predictions.json'), 'w') as f:
        json.dump(predictions, f)
    print('wrote', OUT)


if __name__ == '__main__':
    main()
