"""Unit tests of run_transcripts.py's parser and matcher (no server needed).

    python3 -m unittest discover -s clients/conformance -p 'test_*.py'
"""

import os
import unittest

import run_transcripts as rt


class ParserTests(unittest.TestCase):
    def test_every_directive(self):
        steps = rt.parse_transcript(
            "# comment\n"
            "\n"
            '> {"jsonrpc":"2.0","id":1,"method":"ping"}\n'
            '>bytes "a\\r\\n\\u00ef"\n'
            ">hex c3 28 0A\n"
            '>fill 70000 "x"\n'
            '>fill $MAX_LINE_BYTES-40 " "\n'
            '< {"id":1,"result":"$any"}\n'
            "<unordered 2\n"
            "# between\n"
            '< {"id":2}\n'
            '< {"id":3}\n'
            "<none 300\n"
            "!sleep 50\n"
            "!half-close\n"
            "!expect-close\n")
        self.assertEqual([s.line for s in steps], [3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16])
        self.assertEqual([s.kind for s in steps], ["send-text", "send-bytes", "send-hex", "fill", "fill", "expect", "unordered", "none", "sleep", "half-close", "expect-close"])
        self.assertEqual(steps[0].text, '{"jsonrpc":"2.0","id":1,"method":"ping"}')
        self.assertEqual(steps[1].text, "a\r\n\u00ef")
        self.assertEqual(steps[2].data, b"\xc3\x28\x0a")
        self.assertEqual(rt.resolve_count(steps[4].count, {"MAX_LINE_BYTES": "65536"}), 65496)
        self.assertEqual(steps[6].patterns, [{"id": 2}, {"id": 3}])
        self.assertEqual(steps[7].milliseconds, 300)

    def test_send_text_is_verbatim_and_crlf_files_work(self):
        steps = rt.parse_transcript('> {"method": "foobar, "baz]\r\n>  two\r\n')
        self.assertEqual([s.text for s in steps], ['{"method": "foobar, "baz]', " two"])

    def test_refusals_name_the_line(self):
        for text, line in [
            ("> ok\n<  {not json", 2), ("bogus", 1), (">bytes nope", 1), ('>bytes "\\ud800"', 1),
            (">hex c3 2", 1), (">hex", 1), ('>fill x "a"', 1), ('>fill 10 ""', 1),
            ("<unordered 2\n< {}\n> {}", 3), ("<unordered 2\n< {}", 1), ("<unordered 0", 1),
            ("<none soon", 1), ('< "$whatever"', 1), ('< ["$absent"]', 1), ('< {"a":1,"a":2}', 1),
            ("!half-close now", 1),
        ]:
            with self.assertRaises(rt.TranscriptSyntaxError, msg=text) as caught:
                rt.parse_transcript(text)
            self.assertEqual(caught.exception.line, line, text)

    def test_substitution(self):
        variables = {"READER_TOKEN": "aat_x", "MAX_LINE_BYTES": "65536"}
        self.assertEqual(rt.substitute('{"token":"$READER_TOKEN"}', variables), '{"token":"aat_x"}')
        self.assertEqual(rt.substitute("$UNKNOWN $ $$ $reader $MAX_LINE_BYTES", variables), "$UNKNOWN $ $$ $reader 65536")

    def test_shipped_transcripts_parse(self):
        names = [n for n in os.listdir(rt.HERE) if n.endswith(".transcript")]
        self.assertGreaterEqual(len(names), 10)
        for name in names:
            with open(os.path.join(rt.HERE, name), encoding="utf-8") as handle:
                self.assertTrue(rt.parse_transcript(handle.read()), name)


class MatchTests(unittest.TestCase):
    def m(self, pattern, actual):
        return rt.match(rt.strict_loads(pattern), rt.strict_loads(actual))

    def test_structure(self):
        answer = '{"id":1,"jsonrpc":"2.0","result":{"server":"asana-accessd","time":"x"},"extra":[1,2]}'
        self.assertIsNone(self.m('{"id":1,"result":{"server":"asana-accessd"}}', answer))
        self.assertIsNotNone(self.m('{"id":2}', answer))
        self.assertIsNotNone(self.m('{"error":"$any"}', answer))
        self.assertIsNone(self.m('{"extra":[1,2]}', answer))
        self.assertIsNotNone(self.m('{"extra":[1]}', answer))
        self.assertIsNotNone(self.m('{"extra":[2,1]}', answer))
        self.assertIsNone(self.m('{"error":"$absent","id":1}', answer))
        self.assertIsNotNone(self.m('{"result":"$absent"}', answer))
        self.assertIsNotNone(self.m("{}", "[]"))
        self.assertIsNotNone(self.m("[]", "{}"))

    def test_kinds(self):
        values = {"null": "null", "string": '"s"', "number": "1.5", "bool": "true", "array": "[]", "object": "{}"}

        def matching(kind):
            return {k for k, v in values.items() if self.m('"%s"' % kind, v) is None}

        self.assertEqual(matching("$any"), set(values))
        self.assertEqual(matching("$string"), {"string"})
        self.assertEqual(matching("$number"), {"number"})
        self.assertEqual(matching("$null-or-string"), {"null", "string"})
        self.assertIsNone(self.m('"$$any"', '"$any"'))
        self.assertIsNotNone(self.m('"$$any"', '"x"'))

    def test_numbers(self):
        self.assertIsNone(self.m("1", "1"))
        self.assertIsNotNone(self.m("1", "1.0"))
        self.assertIsNotNone(self.m("1", "1e0"))
        self.assertIsNone(self.m("1.0", "1"))
        self.assertIsNotNone(self.m("9007199254740993", "9007199254740992"))
        self.assertIsNone(self.m("0", "-0"))
        self.assertIsNotNone(self.m("1", "true"))
        self.assertIsNotNone(self.m('"1"', "1"))

    def test_unordered_finds_a_perfect_matching(self):
        loose, tight = {"id": "$any"}, {"id": 1}
        self.assertEqual(rt.assign_unordered([loose, tight], [{"id": 1}, {"id": 2}]), [1, 0])
        self.assertIsNone(rt.assign_unordered([tight, tight], [{"id": 1}, {"id": 2}]))

    def test_strict_json(self):
        for bad in ['{"a":1,}', "[1,]", '{"a":1,"a":2}', "NaN", "01", "'x'", "{} x", '"\\x"', '"\\ud800"', '["\\udc00x"]']:
            with self.assertRaises(ValueError, msg=bad):
                rt.strict_loads(bad)
        self.assertEqual(rt.dumps(rt.strict_loads('{"b":1e0,"a":[1.50,-0]}')), '{"a":[1.50,-0],"b":1e0}')


if __name__ == "__main__":
    unittest.main()
