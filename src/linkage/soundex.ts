const CODES = '01230120022455012623010202';

/**
 * American Soundex (letter + 3 digits; h and w do not separate equal codes). Non-letters are ignored;
 * undefined when there is no letter.
 * @example soundex('Robert') // 'R163'
 */
export function soundex(text: string): string | undefined {
  const s = text.toLowerCase();
  let out = '';
  let last = '';
  for (let i = 0; i < s.length && out.length < 4; i++) {
    const c = s.charCodeAt(i);
    if (c < 97 || c > 122) continue;
    const code = CODES[c - 97]!;
    if (out === '') {
      out = String.fromCharCode(c - 32);
      last = code;
      continue;
    }
    if (c === 104 || c === 119) continue;
    if (code !== '0' && code !== last) out += code;
    last = code;
  }
  if (out === '') return undefined;
  return out.padEnd(4, '0');
}
