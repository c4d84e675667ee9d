#!/usr/bin/env python3
"""Writes the tiny RefCOCO / gRefCOCO fixture in the real on-disk layouts, plus pycocotools goldens.

    python3 src/eval/datasets/__fixtures__/make-refer-fixture.py

Layout written under refer/ (as REFER's data folder and ReLA's datasets/ folder have it):
    refer/refcoco/refs(unc).p        Python-2-style protocol-2 pickle (SHORT_BINSTRING keys, BINUNICODE text),
                                     byte for byte what Python 2 cPickle.dump(refs, f, 2) emits for such data
    refer/refcoco/instances.json     COCO instances: images, annotations (polygons, one crowd RLE), categories
    refer/grefcoco/grefs(unc).json   gRefCOCO refs: ann_id lists, [-1] for no-target expressions
    refer/grefcoco/instances.json
    refer/images/*.png               the images (tiny, flat colours)
Goldens (need pycocotools + numpy; skipped with a note when absent):
    refer-golden.json                per-sample ground-truth RLE as pycocotools frPyObjects + decode + union gives it,
                                     and random polygons rasterised by pycocotools, for bit-for-bit checks
    pickle-golden.json               the same refs dumped by this Python's own pickle (protocols 2 and 4)
"""
import base64
import json
import os
import pickle
import random
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, 'refer')


class Py2Str(str):
    """A Python 2 `str` (bytes): written as SHORT_BINSTRING / BINSTRING."""


def dump_py2(obj):
    """Protocol-2 opcodes as Python 2 cPickle writes plain data: memoised containers, batched SETITEMS/APPENDS."""
    out = bytearray(b'\x80\x02')
    memo = [0]
    interned = {}  # Python 2 interns identifier-like str literals (dict keys): repeats are BINGETs

    def put():
        index = memo[0]
        memo[0] += 1
        out.extend(b'q' + bytes([index]) if index < 256 else b'r' + struct.pack('<I', index))

    def write(value):
        if isinstance(value, bool):
            out.extend(b'\x88' if value else b'\x89')
        elif isinstance(value, int):
            if 0 <= value < 256:
                out.extend(b'K' + bytes([value]))
            elif 0 <= value < 65536:
                out.extend(b'M' + struct.pack('<H', value))
            elif -2**31 <= value < 2**31:
                out.extend(b'J' + struct.pack('<i', value))
            else:
                raw = value.to_bytes((value.bit_length() + 8) // 8, 'little', signed=True)
                out.extend(b'\x8a' + bytes([len(raw)]) + raw)
        elif isinstance(value, float):
            out.extend(b'G' + struct.pack('>d', value))
        elif value is None:
            out.extend(b'N')
        elif isinstance(value, Py2Str) and value in interned:
            index = interned[value]
            out.extend(b'h' + bytes([index]) if index < 256 else b'j' + struct.pack('<I', index))
        elif isinstance(value, Py2Str):
            interned[value] = memo[0]
            raw = value.encode('latin1')
            out.extend((b'U' + bytes([len(raw)])) if len(raw) < 256 else (b'T' + struct.pack('<I', len(raw))))
            out.extend(raw)
            put()
        elif isinstance(value, str):
            raw = value.encode('utf-8')
            out.extend(b'X' + struct.pack('<I', len(raw)) + raw)
            put()
        elif isinstance(value, list):
            out.extend(b']')
            put()
            for start in range(0, len(value), 1000):
                batch = value[start:start + 1000]
                if len(batch) == 1:
                    write(batch[0]); out.extend(b'a')
                else:
                    out.extend(b'(')
                    for item in batch:
                        write(item)
                    out.extend(b'e')
        elif isinstance(value, dict):
            out.extend(b'}')
            put()
            items = list(value.items())
            for start in range(0, len(items), 1000):
                batch = items[start:start + 1000]
                if len(batch) == 1:
                    write(batch[0][0]); write(batch[0][1]); out.extend(b's')
                else:
                    out.extend(b'(')
                    for key, item in batch:
                        write(key); write(item)
                    out.extend(b'u')
        else:
            raise TypeError(type(value))

    write(obj)
    out.extend(b'.')
    return bytes(out)


def png(width, height, colour):
    rows = b''.join(b'\x00' + bytes(colour) * width for _ in range(height))
    chunk = lambda kind, data: struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b'')


IMAGES = [
    {'id': 1, 'file_name': 'COCO_train2014_000000000001.png', 'height': 24, 'width': 32},
    {'id': 2, 'file_name': 'COCO_train2014_000000000002.png', 'height': 20, 'width': 18},
]
ANNOTATIONS = [
    # image 1: a slanted quadrilateral with fractional vertices, and a two-part object (two polygons)
    {'id': 101, 'image_id': 1, 'category_id': 1, 'iscrowd': 0, 'bbox': [2.3, 3.7, 11.4, 12.0], 'area': 100.0,
     'segmentation': [[2.3, 3.7, 13.7, 5.2, 12.1, 15.7, 3.9, 14.4]]},
    {'id': 102, 'image_id': 1, 'category_id': 2, 'iscrowd': 0, 'bbox': [17.0, 2.0, 13.5, 19.0], 'area': 90.0,
     'segmentation': [[17.0, 2.0, 24.5, 2.0, 24.5, 9.5, 17.0, 9.5], [20.2, 12.6, 30.5, 12.9, 25.4, 21.0]]},
    # image 2: a triangle touching the border, and a crowd region in uncompressed RLE
    {'id': 201, 'image_id': 2, 'category_id': 1, 'iscrowd': 0, 'bbox': [0.0, 0.0, 17.9, 12.2], 'area': 80.0,
     'segmentation': [[0.0, 0.0, 17.9, 0.4, 6.2, 12.2]]},
    {'id': 202, 'image_id': 2, 'category_id': 3, 'iscrowd': 1, 'bbox': [0, 14, 18, 6], 'area': 36.0,
     'segmentation': {'size': [20, 18], 'counts': [14, 6, 14, 6, 14, 6] + [14, 6] * 15}},
]
CATEGORIES = [{'id': 1, 'name': 'cat', 'supercategory': 'animal'}, {'id': 2, 'name': 'dog', 'supercategory': 'animal'},
              {'id': 3, 'name': 'grass', 'supercategory': 'plant'}]


def sentence(sent_id, text):
    return {Py2Str('tokens'): text.split(), Py2Str('raw'): text.capitalize() + '.', Py2Str('sent_id'): sent_id, Py2Str('sent'): text}


def ref(ref_id, ann_id, image_id, category_id, split, sentences):
    return {
        Py2Str('sent_ids'): [s[Py2Str('sent_id')] for s in sentences],
        Py2Str('file_name'): Py2Str('COCO_train2014_%012d_%d.jpg' % (image_id, ann_id)),
        Py2Str('ann_id'): ann_id, Py2Str('ref_id'): ref_id, Py2Str('image_id'): image_id,
        Py2Str('split'): Py2Str(split), Py2Str('sentences'): sentences, Py2Str('category_id'): category_id,
    }


REFS = [
    ref(0, 101, 1, 1, 'val', [sentence(0, 'cat on the left'), sentence(1, u'the tilted caf\u00e9 sign')]),
    ref(1, 102, 1, 2, 'val', [sentence(2, 'dog in two parts')]),
    ref(2, 201, 2, 1, 'testA', [sentence(3, 'top triangle')]),
    ref(3, 101, 1, 1, 'train', [sentence(4, 'training only')]),
]

GREFS = [
    {'ref_id': 0, 'ann_id': [101, 102], 'image_id': 1, 'category_id': [1, 2], 'split': 'val', 'file_name': 'COCO_train2014_000000000001.jpg',
     'sent_ids': [0], 'sentences': [{'tokens': ['both', 'animals'], 'raw': 'both animals', 'sent_id': 0, 'sent': 'both animals'}]},
    {'ref_id': 1, 'ann_id': [-1], 'image_id': 1, 'category_id': [-1], 'split': 'val', 'file_name': 'COCO_train2014_000000000001.jpg',
     'sent_ids': [1], 'sentences': [{'tokens': ['the', 'horse'], 'raw': 'the horse', 'sent_id': 1, 'sent': 'the horse'}], 'no_target': True},
    {'ref_id': 2, 'ann_id': [201, 202], 'image_id': 2, 'category_id': [1, 3], 'split': 'val', 'file_name': 'COCO_train2014_000000000002.jpg',
     'sent_ids': [2], 'sentences': [{'tokens': ['triangle', 'and', 'grass'], 'raw': 'triangle and grass', 'sent_id': 2, 'sent': 'triangle and grass'}]},
]


def plain(value):
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return str(value) if isinstance(value, Py2Str) else value


def main():
    instances = {'info': {'description': 'mmevolve test fixture'}, 'images': IMAGES, 'annotations': ANNOTATIONS, 'categories': CATEGORIES}
    for folder in ('refcoco', 'grefcoco', 'images'):
        os.makedirs(os.path.join(ROOT, folder), exist_ok=True)
    with open(os.path.join(ROOT, 'refcoco', 'refs(unc).p'), 'wb') as f:
        f.write(dump_py2(REFS))
    assert pickle.loads(dump_py2(REFS), encoding='latin1') == plain(REFS)
    for folder in ('refcoco', 'grefcoco'):
        with open(os.path.join(ROOT, folder, 'instances.json'), 'w') as f:
            json.dump(instances, f)
    with open(os.path.join(ROOT, 'grefcoco', 'grefs(unc).json'), 'w') as f:
        json.dump(GREFS, f)
    for index, image in enumerate(IMAGES):
        with open(os.path.join(ROOT, 'images', image['file_name']), 'wb') as f:
            f.write(png(image['width'], image['height'], [(90, 140, 60), (200, 180, 40)][index]))
    with open(os.path.join(HERE, 'pickle-golden.json'), 'w') as f:
        json.dump({'expected': plain(REFS), 'python': {str(p): base64.b64encode(pickle.dumps(plain(REFS), protocol=p)).decode() for p in (2, 4)}}, f)
    try:
        import numpy as np
        from pycocotools import mask as mask_utils
    except ImportError:
        print('pycocotools/numpy not installed: refer-golden.json left as it is')
        return
    by_id = {a['id']: a for a in ANNOTATIONS}
    sizes = {i['id']: (i['height'], i['width']) for i in IMAGES}

    def ann_mask(ann):
        h, w = sizes[ann['image_id']]
        rle = mask_utils.frPyObjects(ann['segmentation'], h, w)
        m = mask_utils.decode(rle)
        return m.sum(axis=2) > 0 if m.ndim == 3 else m > 0

    golden = {'annotations': {}, 'polygons': []}
    for ann in ANNOTATIONS:
        m = np.asfortranarray(ann_mask(ann).astype(np.uint8))
        golden['annotations'][str(ann['id'])] = mask_utils.encode(m)['counts'].decode()
    rng = random.Random(17)
    for _ in range(60):
        h, w = rng.randint(1, 40), rng.randint(1, 40)
        k = rng.randint(3, 9)
        xy = [round(rng.uniform(-3, w + 3), rng.choice([0, 1, 2])) for _ in range(2 * k)]
        for i in range(1, 2 * k, 2):
            xy[i] = round(rng.uniform(-3, h + 3), rng.choice([0, 1, 2]))
        rle = mask_utils.frPyObjects([xy], h, w)[0]
        golden['polygons'].append({'height': h, 'width': w, 'xy': xy, 'counts': rle['counts'].decode()})
    box = [1.5, 2.25, 7.0, 4.5]
    golden['box'] = {'height': 12, 'width': 14, 'box': box, 'counts': mask_utils.frPyObjects(np.array([box], dtype=np.float64), 12, 14)[0]['counts'].decode()}
    with open(os.path.join(HERE, 'refer-golden.json'), 'w') as f:
        json.dump(golden, f, indent=1)
    print('wrote fixture and goldens')


if __name__ == '__main__':
    main()
