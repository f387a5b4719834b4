// PostgreSQL's backslash escapes, shared by escape string constants (E'…') and COPY's text format.

/** Which sequences a context reads beyond \b \f \n \r \t, octal \ooo and hex \xhh. */
export interface EscapeRules {
  /** `''` stands for one quote (inside E'…'). */
  readonly doubledQuote: boolean;
  /** `\uXXXX` and `\UXXXXXXXX` code points (E'…'). */
  readonly unicode: boolean;
  /** `\v` is a vertical tab (COPY text format). */
  readonly verticalTab: boolean;
}

/** The text `raw` stands for; a backslash before any other character keeps that character. */
export function unescapeBackslashes(raw: string, rules: EscapeRules): string {
  if (!raw.includes('\\') && !(rules.doubledQuote && raw.includes("'"))) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === "'" && rules.doubledQuote) {
      out += "'";
      i += 2;
      continue;
    }
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      i++;
      continue;
    }
    const n = raw[i + 1]!;
    i += 2;
    switch (n) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v':
        out += rules.verticalTab ? '\v' : 'v';
        break;
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(raw.slice(i));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 16));
          i += m[0].length;
        } else out += 'x';
        break;
      }
      case 'u':
      case 'U': {
        const len = n === 'u' ? 4 : 8;
        const hex = raw.slice(i, i + len);
        if (rules.unicode && hex.length === len && /^[0-9a-fA-F]+$/.test(hex)) {
          const cp = parseInt(hex, 16);
          out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
          i += len;
        } else out += n;
        break;
      }
      default: {
        const m = /^[0-7]{1,3}/.exec(raw.slice(i - 1));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
          i += m[0].length - 1;
        } else out += n;
      }
    }
  }
  return out;
}
