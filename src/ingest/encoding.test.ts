import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, sniffEncoding, type TextEncodingName } from './encoding.js';

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function decodeAll(
  bytes: Buffer,
  size: number,
  encoding?: TextEncodingName,
): Promise<{ text: string; encoding: TextEncodingName }> {
  const decoded = decodeText(chunksOf(bytes, size), { encoding, sniffBytes: 64 });
  let text = '';
  for await (const chunk of decoded.text) text += chunk;
  return { text, encoding: decoded.encoding() };
}

const CHINESE = 'beneficiary_id,name,address\nB1,王秀英,湖南省衡阳县西渡镇\nB2,欧阳娜,"长沙市, 芙蓉区"\n';

describe('sniffEncoding', () => {
  it('tells UTF-8 from GBK, and says when it is neither', () => {
    expect(sniffEncoding(Buffer.from('王秀英', 'utf8'), true)).toBe('utf8');
    expect(sniffEncoding(iconv.encode('王秀英', 'gbk'), true)).toBe('gb18030');
    expect(sniffEncoding(Buffer.from([0xff, 0xfe, 0xff]), true)).toBe('unknown');
  });

  it('does not mistake a UTF-8 character cut at the end of the sample for bad bytes', () => {
    const cut = Buffer.from('名字王', 'utf8').subarray(0, 7);
    expect(sniffEncoding(cut, false)).toBe('utf8');
  });
});

describe('decodeText', () => {
  it('reads UTF-8 with and without a BOM, whatever the chunking', async () => {
    const plain = Buffer.from(CHINESE, 'utf8');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]);
    for (const size of [1, 2, 3, 5, 7, 1000]) {
      expect(await decodeAll(plain, size)).toEqual({ text: CHINESE, encoding: 'utf8' });
      expect(await decodeAll(withBom, size)).toEqual({ text: CHINESE, encoding: 'utf8' });
    }
  });

  it('detects GBK and decodes characters split across chunks', async () => {
    const gbk = iconv.encode(CHINESE, 'gbk');
    for (const size of [1, 2, 3, 5, 7, 1000]) {
      expect(await decodeAll(gbk, size)).toEqual({ text: CHINESE, encoding: 'gb18030' });
    }
  });

  it('waits for the first non-ASCII bytes, however late they come', async () => {
    const ascii = 'id,name\n'.concat('B0,Wang Xiuying\n'.repeat(500));
    const text = `${ascii}B9,王秀英\n`;
    expect(await decodeAll(iconv.encode(text, 'gbk'), 4096)).toEqual({ text, encoding: 'gb18030' });
    expect(await decodeAll(Buffer.from(text, 'utf8'), 4096)).toEqual({ text, encoding: 'utf8' });
  });

  it('a pure ASCII file is utf8', async () => {
    expect(await decodeAll(Buffer.from('a,b\n1,2\n'), 3)).toEqual({ text: 'a,b\n1,2\n', encoding: 'utf8' });
  });

  it('uses the named encoding, and marks bytes that are invalid in it', async () => {
    const gbk = iconv.encode(CHINESE, 'gbk');
    expect(await decodeAll(gbk, 3, 'gbk')).toEqual({ text: CHINESE, encoding: 'gbk' });
    const forcedUtf8 = await decodeAll(gbk, 3, 'utf8');
    expect(forcedUtf8.encoding).toBe('utf8');
    expect(forcedUtf8.text).toContain('\uFFFD');
  });
});
