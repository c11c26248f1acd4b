#!/usr/bin/python3
"""Ask the real yaql 2.0, configured like Mistral, for the answers to new
test cases, producing vectors in the format of
shared/conformance/yaql/vectors.jsonl.

    apt-get install -y python3-yaql python3-yaml
    /usr/bin/python3 testdata/oracle.py cases.jsonl vectors.jsonl

cases.jsonl has one {"expr": ..., "data": ...} (or {"template": ...}) per
line. Check the output with
    YAQL_EXTRA_VECTORS=vectors.jsonl go test -run TestExtraVectors ./internal/expression/yaql/
and append the vectors worth keeping to yaql_extra_vectors.jsonl (a
{"define_data": name, "data": ...} line lets later vectors say
"data_ref": name instead of repeating a large context).
"""
import json
import os
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', '..', '..', 'shared', 'conformance', 'yaql'))
import generate as g  # noqa: E402  (the shared generator: same engine options)

signal.signal(signal.SIGALRM, g._alarm)
with open(sys.argv[2], 'w') as out:
    for line in open(sys.argv[1]):
        line = line.strip()
        if not line:
            continue
        case = json.loads(line)
        key = 'template' if 'template' in case else 'expr'
        evaluator = g.mistral_inline_evaluate if key == 'template' else g.mistral_evaluate
        vector, why = g.run_case(case[key], case.get('data'), evaluator)
        if vector is None:
            sys.stderr.write('skip %r: %s\n' % (case[key], why))
            continue
        rec = {key: case[key], 'data': case.get('data')}
        rec.update(vector)
        rec['source'] = 'bora-differential'
        out.write(json.dumps(rec, ensure_ascii=False) + '\n')
