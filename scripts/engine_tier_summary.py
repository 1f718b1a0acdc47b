"""Per engine of the engine tier: how many tests passed, failed and were skipped, and their summed time.

Reads the integration tier's junit report (scripts/test.sh writes it); a test of the
tier carries its engine in its id (``test_x[28.5]``).
"""
import re
import sys
import xml.etree.ElementTree as ET

ENGINE = re.compile(r'[\[-](\d+\.\d+)[\]-]')


def main(path):
    try:
        cases = list(ET.parse(path).iter('testcase'))
    except (OSError, ET.ParseError) as exc:
        print('(no junit report: %s)' % exc)
        return 1
    rows = {}
    for case in cases:
        m = ENGINE.search(case.get('name', ''))
        if not m:
            continue
        row = rows.setdefault(m.group(1), {'passed': 0, 'failed': 0, 'skipped': 0, 'seconds': 0.0})
        if case.find('failure') is not None or case.find('error') is not None:
            row['failed'] += 1
        elif case.find('skipped') is not None:
            row['skipped'] += 1
        else:
            row['passed'] += 1
        row['seconds'] += float(case.get('time') or 0)
    if not rows:
        print('(no engine-tier tests in the report)')
    for engine in sorted(rows, key=lambda v: tuple(int(p) for p in v.split('.'))):
        r = rows[engine]
        print('%-6s %4d passed %3d failed %3d skipped %7.0f s' % (
            engine, r['passed'], r['failed'], r['skipped'], r['seconds']))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
