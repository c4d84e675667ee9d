"""Golden smart_resize results printed by CPython, transcribing transformers' Qwen2-VL image processor.

Run: /usr/bin/python3 src/protocols/profiles/__fixtures__/make-smart-resize-golden.py
Writes smart-resize-golden.json: [height, width, factor, min_pixels, max_pixels, resized_h, resized_w],
including sides that are exact half multiples of the factor (Python's round goes to even there).
"""
import json
import math
import os
import random


def smart_resize(height, width, factor, min_pixels, max_pixels):
    if max(height, width) / min(height, width) > 200:
        return None
    h_bar = round(height / factor) * factor
    w_bar = round(width / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


BOUNDS = [(28, 3136, 1003520), (28, 3136, 12845056), (28, 200704, 1003520), (32, 65536, 16777216), (32, 4096, 262144)]


def main():
    rng = random.Random(28)
    cases = []
    while len(cases) < 800:
        factor, min_pixels, max_pixels = rng.choice(BOUNDS)
        if len(cases) % 2 == 0:
            # Half multiples of the factor on one or both sides: the round-half-to-even cases.
            height = factor * rng.randint(0, 150) + factor // 2
            width = factor * rng.randint(1, 150) + (factor // 2 if rng.random() < 0.5 else rng.randint(0, factor - 1))
        else:
            height, width = rng.randint(1, 6000), rng.randint(1, 6000)
        if height == 0 or width == 0:
            continue
        result = smart_resize(height, width, factor, min_pixels, max_pixels)
        if result is None:
            continue
        cases.append([height, width, factor, min_pixels, max_pixels, result[0], result[1]])
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smart-resize-golden.json")
    with open(target, "w") as handle:
        json.dump(cases, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"wrote {len(cases)} cases to {target}")


if __name__ == "__main__":
    main()
