"""Golden ReasonSeg ground-truth masks drawn with the real OpenCV, following LISA's get_mask_from_json.

Run with Debian's python3-opencv:  /usr/bin/python3 src/eval/__fixtures__/make-reasonseg-golden.py
Writes src/eval/__fixtures__/reasonseg-golden.json (annotations + expected label maps, base64 bytes).
These are the OpenCV 4.6 masks; LISA pins opencv_python==4.8.0.74, whose masks for the same annotations
scripts/fixtures/reasonseg-opencv-js.cjs draws with OpenCV.js 4.8 (reasonseg-golden-opencv-4.8.json).
CI never runs this; the tests only read the JSON it produced.
"""
import base64
import json
import os
import random

import cv2
import numpy as np


def lisa_ground_truth(annotation, height, width):
    # Same steps as LISA's utils/data_processing.py get_mask_from_json: skip "flag", measure each shape's
    # rasterised area, draw in np.argsort(area)[::-1] order, "ignore" labels as 255, others as 1.
    kept, areas = [], []
    for shape in annotation["shapes"]:
        if shape["label"].lower() == "flag":
            continue
        scratch = np.zeros((height, width), dtype=np.uint8)
        points = np.array([shape["points"]], dtype=np.int32)
        cv2.polylines(scratch, points, True, 1, 1)
        cv2.fillPoly(scratch, points, 1)
        areas.append(scratch.sum())
        kept.append(shape)
    order = list(np.argsort(areas)[::-1].astype(np.int32))
    mask = np.zeros((height, width), dtype=np.uint8)
    for index in order:
        shape = kept[index]
        value = 255 if "ignore" in shape["label"].lower() else 1
        points = np.array([shape["points"]], dtype=np.int32)
        cv2.polylines(mask, points, True, value, 1)
        cv2.fillPoly(mask, points, value)
    return mask


def random_polygon(rng, width, height, spill):
    count = rng.randint(3, 7)
    low_x, high_x = -spill * width, (1 + spill) * width
    low_y, high_y = -spill * height, (1 + spill) * height
    return [[round(rng.uniform(low_x, high_x), 3), round(rng.uniform(low_y, high_y), 3)] for _ in range(count)]


def main():
    rng = random.Random(20261123)
    cases = []
    # Hand-made cases: overlap of ignore inside target, a flag, an equal-area tie with different labels,
    # negative float coordinates (truncation toward zero), points outside the image.
    cases.append(("nested-ignore", 12, 9, [
        {"label": "target", "points": [[1.9, 1.9], [10.2, 1.5], [10.7, 7.9], [1.2, 7.4]]},
        {"label": "ignore", "points": [[4, 3], [7, 3], [7, 5], [4, 5]]},
        {"label": "Flag", "points": [[0, 0], [11, 0], [11, 8]]},
    ]))
    cases.append(("equal-area-tie", 10, 6, [
        {"label": "target", "points": [[1, 1], [6, 1], [6, 4], [1, 4]]},
        {"label": "ignore_region", "points": [[3, 2], [8, 2], [8, 5], [3, 5]]},
    ]))
    cases.append(("equal-area-tie-reversed", 10, 6, [
        {"label": "IGNORE", "points": [[3, 2], [8, 2], [8, 5], [3, 5]]},
        {"label": "target", "points": [[1, 1], [6, 1], [6, 4], [1, 4]]},
    ]))
    cases.append(("outside-points", 9, 7, [
        {"label": "target", "points": [[-3.7, -2.2], [12.5, 1.0], [4.0, 11.9]]},
    ]))
    cases.append(("no-target", 5, 5, [
        {"label": "flag", "points": [[0, 0], [4, 0], [4, 4]]},
    ]))
    cases.append(("one-pixel", 1, 1, [
        {"label": "target", "points": [[0.4, 0.6]]},
    ]))
    for index in range(24):
        width, height = rng.randint(1, 40), rng.randint(1, 30)
        shapes = []
        for _ in range(rng.randint(1, 5)):
            label = rng.choice(["target", "target", "object", "ignore", "flag"])
            shapes.append({"label": label, "points": random_polygon(rng, width, height, 0.15)})
        cases.append((f"random-{index:02d}", width, height, shapes))

    out = []
    for name, width, height, shapes in cases:
        annotation = {"text": [f"segment the {name}"], "is_sentence": len(out) % 2 == 1, "shapes": shapes}
        mask = lisa_ground_truth(annotation, height, width)
        out.append({
            "name": name,
            "width": width,
            "height": height,
            "annotation": annotation,
            "mask": base64.b64encode(mask.tobytes()).decode("ascii"),
        })
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reasonseg-golden.json")
    with open(target, "w") as handle:
        json.dump({"opencv": cv2.__version__, "numpy": np.__version__, "cases": out}, handle, indent=1)
        handle.write("\n")
    print(f"wrote {len(out)} cases to {target}")


if __name__ == "__main__":
    main()
