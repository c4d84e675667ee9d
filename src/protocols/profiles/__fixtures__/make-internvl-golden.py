"""Golden InternVL candidate orders and tilings printed by CPython (the interpreter InternVL runs on).

Run: /usr/bin/python3 src/protocols/profiles/__fixtures__/make-internvl-golden.py
Writes internvl-golden.json beside this file: for every 1 <= min <= max <= 24 the list
`sorted(set(...), key=product)` that InternVL's dynamic_preprocess builds, and 600 (width, height,
min, max) → (cols, rows) choices of find_closest_aspect_ratio, many of them on exact ratio ties.
"""
import json
import os
import platform
import random
from fractions import Fraction


def candidates(min_num, max_num):
    # Same expression as InternVL's dynamic_preprocess.
    target_ratios = set(
        (i, j) for n in range(min_num, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1)
        if i * j <= max_num and i * j >= min_num)
    return sorted(target_ratios, key=lambda x: x[0] * x[1])


def closest(width, height, ratios, image_size=448):
    # Same loop as InternVL's find_closest_aspect_ratio.
    aspect_ratio = width / height
    best_diff, best = float('inf'), (1, 1)
    area = width * height
    for ratio in ratios:
        diff = abs(aspect_ratio - ratio[0] / ratio[1])
        if diff < best_diff:
            best_diff, best = diff, ratio
        elif diff == best_diff and area > 0.5 * image_size * image_size * ratio[0] * ratio[1]:
            best = ratio
    return best


def order_sensitive_cases():
    """Sizes whose answer depends on the set order among grids with the same tile count: the image ratio is
    the exact midpoint of two equal-product grids, and sorting those grids by (product, cols) instead of
    CPython's set order would pick the other one."""
    cases = []
    for hi in range(1, 25):
        for lo in range(2, hi + 1):
            ratios = candidates(lo, hi)
            canonical = sorted(ratios, key=lambda x: (x[0] * x[1], x[0]))
            for first in ratios:
                for second in ratios:
                    if first >= second or first[0] * first[1] != second[0] * second[1]:
                        continue
                    middle = (Fraction(first[0], first[1]) + Fraction(second[0], second[1])) / 2
                    for scale in (1, 3, 40, 200):
                        width, height = middle.numerator * scale, middle.denominator * scale
                        chosen = closest(width, height, ratios)
                        if chosen != closest(width, height, canonical):
                            cases.append([width, height, lo, hi, chosen[0], chosen[1]])
    return cases


def main():
    rng = random.Random(448)
    orders = {f"{lo}:{hi}": candidates(lo, hi) for hi in range(1, 25) for lo in range(1, hi + 1)}
    tilings = []
    for index in range(600):
        hi = rng.choice([4, 6, 12, 12, 12, 24])
        lo = min(hi, rng.choice([1, 1, 1, 2, 3, 4, 5, 6]))
        if index % 3 == 0:
            width, height = rng.randint(1, 4000), rng.randint(1, 4000)
        else:
            # Midpoints between two grid ratios: exact ties when the two grids are the closest.
            a, b, c, d = (rng.randint(1, 12) for _ in range(4))
            scale = rng.randint(20, 600)
            width, height = (a * d + b * c) * scale, 2 * b * d * scale
        cols, rows = closest(width, height, candidates(lo, hi))
        tilings.append([width, height, lo, hi, cols, rows])
    tilings.extend(order_sensitive_cases())
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "internvl-golden.json")
    with open(target, "w") as handle:
        json.dump({"python": platform.python_version(), "orders": orders, "tilings": tilings}, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"wrote {len(orders)} orders and {len(tilings)} tilings to {target}")


if __name__ == "__main__":
    main()
