import { describe, expect, test } from "bun:test";
import { compileTemplate, unknownTemplates, type TemplateContext } from "../../../../src/driver/scenario/template.ts";
import { escapeHeaderText, escapeUrlText } from "../../../../src/driver/scenario/wire.ts";

function context(fields: Partial<TemplateContext> = {}): TemplateContext {
  let uuids = 0;
  return {
    nodeId: "d1",
    testId: "t9",
    env: { API_TOKEN: "s3cret" },
    data: [{ id: 7, name: "ann", tags: ["a"], user: { id: "u1" } }, { id: 8, name: "bob" }],
    now: () => 1_700_000_000_123,
    random: () => 0.5,
    uuid: () => `uuid-${++uuids}`,
    ...fields,
  };
}

describe("compileTemplate", () => {
  test("a text without ${ is a constant", () => {
    const compiled = compileTemplate("plain $ {text}", context());
    expect(compiled.constant).toBe("plain $ {text}");
    expect(compiled.render(5)).toBe("plain $ {text}");
  });

  test("node_id, test_id and env are folded in at compile time: a text of those only is a constant", () => {
    const compiled = compileTemplate("Bearer ${env:API_TOKEN} ${node_id}/${test_id} [${env:MISSING}]", context());
    expect(compiled.constant).toBe("Bearer s3cret d1/t9 []");
  });

  test("renders seq, data rows (seq mod rows), now, rand_int and uuid per send", () => {
    const compiled = compileTemplate('{"id":"${node_id}-${seq}","row":${data.id},"name":"${data.name}","n":${rand_int:1:1000},"at":${now_ms},"u":"${uuid}"}', context());
    expect(compiled.constant).toBeNull();
    expect(compiled.render(0)).toBe('{"id":"d1-0","row":7,"name":"ann","n":501,"at":1700000000123,"u":"uuid-1"}');
    expect(compiled.render(3)).toBe('{"id":"d1-3","row":8,"name":"bob","n":501,"at":1700000000123,"u":"uuid-2"}');
  });

  test("data fields: JSON for objects, nested paths, empty for missing fields or rows", () => {
    const compiled = compileTemplate("${data.tags}|${data.user.id}|${data.nope}", context());
    expect([compiled.render(0), compiled.render(1)]).toEqual(['["a"]|u1|', "||"]);
    expect(compileTemplate("x${data.id}", context({ data: undefined })).render(0)).toBe("x");
  });

  test("rand_int covers MIN..MAX inclusive", () => {
    expect(compileTemplate("${rand_int:-2:3}", context({ random: () => 0 })).render(0)).toBe("-2");
    expect(compileTemplate("${rand_int:-2:3}", context({ random: () => 0.999999 })).render(0)).toBe("3");
  });

  test("escapes values where they land: the URL percent-encodes, a header value loses CR/LF", () => {
    const ctx = context({ data: [{ q: "a b/é", h: "x\r\nInjected: 1" }] });
    expect(compileTemplate("/find?q=${data.q}", ctx, escapeUrlText).render(0)).toBe("/find?q=a%20b/%C3%A9");
    expect(compileTemplate("${data.h}", ctx, escapeHeaderText).render(0)).toBe("x  Injected: 1");
  });

  test("throws on an unknown template (the protocol refuses it first), and lists them for the check", () => {
    expect(() => compileTemplate("${foo}", context())).toThrow("unknown template ${foo}");
    expect(unknownTemplates("${seq} ${foo} ${bar:1}")).toEqual(["unknown template ${foo}", "unknown template ${bar:1}"]);
  });
});
