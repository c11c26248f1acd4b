#!/usr/bin/env python3
"""Ask Python's json.loads what it says about bad JSON texts, producing
pyjson_errors.jsonl for TestPythonErrors:

    python3 testdata/pyjson_oracle.py > testdata/pyjson_errors.jsonl

Each line is {"text": ..., "error": str(JSONDecodeError) or null when
json.loads accepts the text}. The hand-written cases come first, then
mutations of valid documents drawn from a fixed seed, so the file only
changes when this script does. Use a Python before 3.13 (Mistral 15's):
3.13 words trailing commas differently ("Illegal trailing comma ...").
"""
import json
import random
import sys

if sys.version_info >= (3, 13):
    sys.exit('use a Python before 3.13: Mistral 15 runs on one')

CASES = [
    # nothing, or not JSON at all
    '', ' ', '\n\n', 'not json', 'None', 'True', 'nul', 'nulll', 'tru',
    'undefined', "'single'", '\ufeff{}', '\ufeff', 'x\ufeff',
    # extra data
    '{} {}', '[] x', '1 2', '"a" "b"', '{"a": 1}}', '[1]]', 'null,',
    '01', '00', '-01', '1.', '1.e5', '.5', '1e', '1e+', '1E-', '1ea',
    '1.5e', '--1', '-', '-a', '+1', '- 1', '0x10', '1_000', '١', '1.٣',
    'NaNa', 'Infinityx', '-Infinity-', '-Inf', 'nan', 'inf', 'NaN NaN',
    # objects
    '{', '{ ', '{"', '{"a"', '{"a":', '{"a": ', '{"a":1', '{"a":1,',
    '{"a":1,}', '{"a":1 , }', '{,}', '{"a" 1}', '{"a"; 1}', '{a: 1}',
    "{'a': 1}", '{"a": 1 "b": 2}', '{"a": 1,, "b": 2}', '{1: 2}',
    '{"a": }', '{"a": ,}', '{"a": 1}x', '{"a": [1, 2}', '{"a": {"b": }}',
    '{"a":\n1,\n"b":\n}', '{\n  "a": 1,\n  "b": 2,\n}', '{"a": 1}\n\nx',
    '{"a": tru}', '{"a": nul}', '{"é": 1, "ü": }', '{"日本": "語",}',
    # arrays
    '[', '[ ', '[1', '[1,', '[1,]', '[,]', '[,1]', '[1 2]', '[1,,2]',
    '[1, 2, ]', '[[[]]', '[[[', '[]]', '[1}', '{"a": [1, 2, {"b": ]}]}',
    '[\n1,\n2,\n]', '["é", "ü", ]', '["😀", x]', '[\t\r\n]', '[\t\r\n',
    # strings
    '"', '"abc', '"abc\n"', '"a\tb"', '"a\x00b"', '"a\x1fb"', '"a\x7fb"',
    '"\\', '"\\"', '"a\\x"', '"\\a"', '"\\\'"', '"\\u"', '"\\u1"',
    '"\\u12"', '"\\u123"', '"\\u1234', '"\\u1234"', '"\\u12G4"',
    '"\\uZZZZ"', '"\\U1234"', '"\\x41"', '"\\ud800"', '"\\ud800\\u"',
    '"\\ud800\\uZZZZ"', '"\\ud800\\uZZZZ', '"\\ud800\\udc00"',
    '"\\ud800\\u0041"', '"\\ud800\\ud800\\uZZZZ"', '"\\ud800x\\uZZZZ"',
    '"\\ud800\\ZZZZZ"', '"\\udc00\\uZZZZ"', '"\\u00e9\\q"',
    '["ok", "bad\\escape"]', '{"k": "v\nv"}', '{"k\n": 1}',
    '{"a": "\\u00e9", "b": "\\u00"}', '"日本語', '"😀😀\\x"',
    '"é" x', '"😀" x', '\u2028', '[\u00a01]', '[\u20001]', '{"a":\u30001}',
    # unicode and newlines before the error
    'é', '😀', '"é"é', '["é😀日", }', '{"é": "😀"}\n"x"',
    '\n\n  [1,\n   2,\n   x]', '\r\n[1,\r\n x]', '{\n"a": "😀",\n"b": \'c\'}',
    '[\n"line one",\n"line\ttwo"]', '\n', '\n\nx', '  \n  x',
    # Python accepts these (bora's Go decoder may not)
    'NaN', 'Infinity', '-Infinity', '[NaN, Infinity, -Infinity]',
    '1e400', '-1e400', '123456789012345678901234567890', '{"a": NaN}',
    '"\\ud800"', '"\\udc00\\ud800"', '{"a": 1, "a": 2}', ' 1 ', '-0',
    '0.0e-0', '1E+2', '"\x7f"', '"\\/"',
]

VALID = [
    '{"a": 1, "b": [true, false, null], "c": {"d": "e"}}',
    '[1, -2.5e3, "x", {"y": []}]',
    '{"name": "wf", "input": {"é": "😀", "n": 0.5}, "list": [1, 2, 3]}',
    '{\n  "k": "v",\n  "nested": {\n    "a": [1,\n      2]\n  }\n}',
    '"a string with \\n escapes \\u00e9 and \\"quotes\\""',
    '[{"a": {"b": {"c": [null]}}}]',
]

NOISE = list('{}[]:,"\\ \n\t\'xu0123456789-+.eEnNI') + ['\x01', 'é', '😀', '日', '\\u', '\\ud800']


def mutate(rng, text):
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        pos = rng.randint(0, len(chars))
        if op < 0.4 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif op < 0.8:
            chars.insert(pos, rng.choice(NOISE))
        else:
            chars = chars[:pos]
    return ''.join(chars)


def answer(text):
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        return str(e)
    except (RecursionError, ValueError) as e:
        sys.exit('not a JSONDecodeError for %r: %r' % (text, e))
    return None


def main():
    rng = random.Random(15)
    texts = list(CASES)
    seen = set(texts)
    while len(texts) < len(CASES) + 400:
        t = mutate(rng, rng.choice(VALID))
        if t not in seen:
            seen.add(t)
            texts.append(t)
    for t in texts:
        print(json.dumps({'text': t, 'error': answer(t)}, ensure_ascii=False))


main()
