// A minimal, strict XML reader for the tests' JUnit files: elements, attributes and text, with
// the five predefined entities and numeric references. Throws on anything not well-formed
// (unbalanced tags, a raw `<` or `&` in text, an unquoted or duplicate attribute).

/** One element: its name, attributes (unescaped), children and text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescape(raw: string, where: string): string {
  if (raw.includes("<")) throw new Error(`raw "<" in ${where}`);
  return raw.replace(/&([^;]*);?/g, (all, name: string) => {
    if (!all.endsWith(";")) throw new Error(`unterminated "&" in ${where}`);
    if (name in ENTITIES) return ENTITIES[name]!;
    const num = /^#(x[0-9a-f]+|[0-9]+)$/i.exec(name);
    if (num) return String.fromCodePoint(num[1]![0] === "x" || num[1]![0] === "X" ? parseInt(num[1]!.slice(1), 16) : Number(num[1]));
    throw new Error(`unknown entity "&${name};" in ${where}`);
  });
}

/** Parses a document (an optional XML declaration, then one root element). */
export function parseXml(text: string): XmlElement {
  let i = 0;
  const rest = () => text.slice(i);
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  if (rest().startsWith("<?xml")) {
    const end = text.indexOf("?>", i);
    if (end < 0) throw new Error("unterminated XML declaration");
    i = end + 2;
  }
  skipSpace();
  const element = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.-]*)/.exec(rest());
    if (!open) throw new Error(`expected an element at ${i}: ${JSON.stringify(rest().slice(0, 20))}`);
    const name = open[1]!;
    i += open[0].length;
    const attributes: Record<string, string> = {};
    for (;;) {
      skipSpace();
      if (rest().startsWith("/>")) {
        i += 2;
        return { name, attributes, children: [], text: "" };
      }
      if (text[i] === ">") {
        i++;
        break;
      }
      const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*"([^"]*)"/.exec(rest());
      if (!attr) throw new Error(`bad attribute in <${name}> at ${i}: ${JSON.stringify(rest().slice(0, 30))}`);
      if (attr[1]! in attributes) throw new Error(`duplicate attribute ${attr[1]} in <${name}>`);
      attributes[attr[1]!] = unescape(attr[2]!, `<${name} ${attr[1]}>`);
      i += attr[0].length;
    }
    const children: XmlElement[] = [];
    let body = "";
    for (;;) {
      const lt = text.indexOf("<", i);
      if (lt < 0) throw new Error(`<${name}> is never closed`);
      body += unescape(text.slice(i, lt), `<${name}> text`);
      i = lt;
      if (rest().startsWith(`</`)) {
        const close = /^<\/([\w.-]+)\s*>/.exec(rest());
        if (!close || close[1] !== name) throw new Error(`<${name}> closed by ${JSON.stringify(rest().slice(0, 20))}`);
        i += close[0].length;
        return { name, attributes, children, text: body };
      }
      children.push(element());
    }
  };
  const root = element();
  skipSpace();
  if (i !== text.length) throw new Error(`content after the root element: ${JSON.stringify(rest().slice(0, 20))}`);
  return root;
}

/** Every element named `name` under `root`, depth first. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  return [...(root.name === name ? [root] : []), ...root.children.flatMap((c) => findAll(c, name))];
}
