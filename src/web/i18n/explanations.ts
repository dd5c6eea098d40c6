import type { MessageKey, Translator } from './messages.js';

/**
 * The server explains alerts, rings, handler ranks and matches in English sentences (the API's contract keeps
 * them). The dashboard recognises the sentences the server writes, turns each clause into a reason code with its
 * parameters, and says it from the catalogue (`explain.*`), so that the zh-CN page reads in Chinese. A clause it
 * does not know stays in English: a new or changed sentence degrades to the server's words, never to nothing.
 */

type Params = Record<string, string>;
type Words = (prefix: string, value: string) => string;

interface Reason {
  readonly key: MessageKey;
  readonly params: Params;
}

interface Pattern {
  /** Matches one whole clause; named groups are the parameters. */
  readonly re: RegExp;
  readonly reason: (groups: Params, words: Words) => Reason;
}

const simple =
  (key: MessageKey, terms: Readonly<Record<string, string>> = {}) =>
  (groups: Params, words: Words): Reason => {
    const params: Params = {};
    for (const [name, value] of Object.entries(groups)) {
      const prefix = terms[name];
      params[name] = value === undefined ? '' : prefix === undefined ? value : words(prefix, value);
    }
    return { key, params };
  };

const BENEFICIARIES = 'beneficiar(?:y|ies)';

/** Every clause the server writes that the dashboard knows, most specific first. */
const PATTERNS: readonly Pattern[] = [
  // Rule titles (the alert explanation starts "Title: reasons").
  { re: /^Many cards emptied at one terminal$/, reason: simple('explain.titleAtmSweep') },
  { re: /^Many cards in one terminal session$/, reason: simple('explain.titleMultiCardSession') },
  { re: /^Card of a dead or suspended beneficiary in use$/, reason: simple('explain.titleGhostCard') },
  { re: /^Cards used together month after month \(a collector\)$/, reason: simple('explain.titleCollector') },
  { re: /^One card receives several beneficiaries' pensions$/, reason: simple('explain.titleSharedCard') },
  { re: /^Pension card changed near the death, then used$/, reason: simple('explain.titleCardChanged') },
  { re: /^Dormant card swept after payday far from home$/, reason: simple('explain.titleDormantFar') },
  // Card monitoring detectors.
  {
    re: /^card (?<card>\S+) receives the pensions of (?<n>\d+) beneficiaries \((?<ids>[^)]*)\)$/,
    reason: simple('explain.cardShared'),
  },
  {
    re: /^card (?<card>\S+) unused for at least (?<days>\d+) days, then a (?<type>\w+)(?: of (?<amount>¥[\d,.]+))? (?<hours>\d+) hours after the pension credit of (?<date>[\d-]+)$/,
    reason: simple('explain.dormantSwept', { type: 'eventType' }),
  },
  {
    re: /^(?<type>\w+) on card (?<card>\S+) (?:at (?<terminal>\S+)|\((?<channel>\w+)\)) on (?<at>[\d-]+(?: [\d:]+)?)$/,
    reason: (g, words) => ({
      key: 'explain.cardUsed',
      params: {
        type: words('eventType', g.type ?? ''),
        card: g.card ?? '',
        at: g.at ?? '',
        where: g.terminal ?? words('channel', g.channel ?? ''),
      },
    }),
  },
  {
    re: /^beneficiary (?<id>\S+) is believed dead since (?<date>[\d-]+) \((?<evidence>[^)]*)\)$/,
    reason: simple('explain.believedDead', { evidence: 'decision' }),
  },
  {
    re: /^the benefit of (?<id>\S+) is (?<status>\w+) at the time$/,
    reason: simple('explain.benefitStatus', { status: 'status' }),
  },
  { re: /^another, living beneficiary is paid to the same card$/, reason: simple('explain.livingShares') },
  {
    re: /^(?<type>\w+) on card (?<card>\S+) in region (?<region>\S+), another (?<level>province|prefecture) than the holder's \((?<home>[^)]*)\)$/,
    reason: simple('explain.farFromHome', { type: 'eventType', level: 'regionLevel' }),
  },
  {
    re: /^card (?<card>\S+) was made the pension card of (?<id>\S+) on (?<date>[\d-]+)(?: by handler (?<handler>\S+))?, after the death \((?<death>[\d-]+)\), and is in use \((?<type>\w+)\)$/,
    reason: simple('explain.cardChangedAfterDeath', { type: 'eventType' }),
  },
  {
    re: /^card (?<card>\S+) was made the pension card of (?<id>\S+) on (?<date>[\d-]+)(?: by handler (?<handler>\S+))?, within (?<days>\d+) days before the death \((?<death>[\d-]+)\), and is in use \((?<type>\w+)\)$/,
    reason: simple('explain.cardChangedBeforeDeath', { type: 'eventType' }),
  },
  {
    re: /^(?<n>\d+) cards used together at the same terminals, within (?<minutes>\d+) minutes of each other, in (?<months>\d+) different months \((?<list>[^)]*)\)$/,
    reason: simple('explain.coUsed'),
  },
  { re: /^cards (?<cards>.+)$/, reason: simple('explain.cards') },
  {
    re: /^(?<n>\d+) different cards used at terminal (?<terminal>\S+) within (?<window>\d+) minutes \(run of cards at most (?<gap>\d+) minutes apart, last at (?<time>[\d:]+)(?<night>, at night)?\)$/,
    reason: (g) => ({
      key: g.night === undefined ? 'explain.terminalRun' : 'explain.terminalRunNight',
      params: {
        n: g.n ?? '',
        terminal: g.terminal ?? '',
        window: g.window ?? '',
        gap: g.gap ?? '',
        time: g.time ?? '',
      },
    }),
  },
  {
    re: /^(?<n>\d+) different cards in one session at terminal (?<terminal>\S+)(?<night>, at night)?$/,
    reason: (g) => ({
      key: g.night === undefined ? 'explain.session' : 'explain.sessionNight',
      params: { n: g.n ?? '', terminal: g.terminal ?? '' },
    }),
  },
  // Rings (analyze).
  {
    re: /^(?<cards>\d+) cards used one after another, minutes apart, at (?<terminals>\d+) terminals? on (?<days>\d+) days$/,
    reason: simple('explain.ringSweeps'),
  },
  {
    re: /^\((?<night>\d+) of (?<sweeps>\d+) sweeps at night\), (?<amount>¥[\d,.]+) withdrawn$/,
    reason: simple('explain.ringNight'),
  },
  {
    re: /^(?<dead>\d+) of (?<holders>\d+) card holders with a recorded death$/,
    reason: simple('explain.ringDead'),
  },
  { re: /^no handler vouched for them after death$/, reason: simple('explain.ringNoVoucher') },
  {
    re: /^vouched for after death by (?<list>.+)$/,
    reason: (g, words) => ({
      key: 'explain.ringVouchers',
      // "H00027 (station_head) ×3, …": each handler's role in the page's words.
      params: {
        list: (g.list ?? '').replace(/\((\w+)\)/g, (_all, role: string) => `(${words('handlerRole', role)})`),
      },
    }),
  },
  // Handler risk (analyze).
  {
    re: new RegExp(
      `^(?<act>certified|reactivated the suspended benefit of|approved the reactivation of|changed the card of|manages) (?<x>\\d+) ${BENEFICIARIES}(?: as alive after their death| believed dead| after their death| dead and still paid) \\(of (?<of>\\d+); peers \\((?<peers>.*)\\) would have (?<expected>[\\d.e+-]+)\\)(?<untested>; reported, not tested)?$`,
    ),
    reason: (g, words) => {
      const act = HANDLER_ACTS[g.act ?? ''] ?? HANDLER_ACTS.certified!;
      return {
        key: g.untested === undefined ? act.tested : act.untested,
        params: {
          x: g.x ?? '',
          of: g.of ?? '',
          peers: peersOf(g.peers ?? '', words),
          expected: g.expected ?? '',
        },
      };
    },
  },
  { re: /^no act vouched for a beneficiary believed dead$/, reason: simple('explain.noAct') },
  {
    re: /^(?<n>\d+) such acts where peers would have (?<expected>\S+)$/,
    reason: simple('explain.suchActs'),
  },
  {
    re: /^vouched after death for (?<n>\d+) beneficiaries of ring (?<ring>\S+) \((?<cards>\d+) cards swept together\)$/,
    reason: simple('explain.ringNote'),
  },
  { re: /^not in handlers\.csv$/, reason: simple('explain.notInHandlers') },
  {
    re: /^(?<n>\d+) reactivations? of (?<of>\d+) without a second approver \(others: (?<others>\d+)%\)$/,
    reason: simple('explain.unapproved'),
  },
  // The alert's evidence count, appended to the last clause.
  {
    re: /^(?<total>\d+) events of evidence, the first (?<shown>\d+) listed$/,
    reason: simple('explain.evidenceCount'),
  },
];

const HANDLER_ACTS: Readonly<Record<string, { tested: MessageKey; untested: MessageKey }>> = {
  certified: { tested: 'explain.actCertified', untested: 'explain.actCertifiedUntested' },
  'reactivated the suspended benefit of': {
    tested: 'explain.actReactivated',
    untested: 'explain.actReactivatedUntested',
  },
  'approved the reactivation of': {
    tested: 'explain.actApproved',
    untested: 'explain.actApprovedUntested',
  },
  'changed the card of': { tested: 'explain.actChangedCard', untested: 'explain.actChangedCardUntested' },
  manages: { tested: 'explain.actManages', untested: 'explain.actManagesUntested' },
};

/** The peer group as the server writes it ("station_head in 430422"), said with the page's words for the role. */
function peersOf(peers: string, words: Words): string {
  const match = /^(?<role>.+) in (?<region>.+)$/.exec(peers);
  if (match?.groups === undefined) return peers;
  const { role = '', region = '' } = match.groups;
  const said = words('explain', 'peers');
  if (said === 'peers') return peers; // the page's words have no sentence for it: keep the server's
  return said
    .replace('{role}', words('handlerRole', role))
    .replace('{region}', words('handlerRegion', region));
}

/** The reason code and parameters of one clause, or undefined when the dashboard does not know it. */
export function reasonOf(clause: string, words: Words = (_p, v) => v): Reason | undefined {
  for (const pattern of PATTERNS) {
    const match = pattern.re.exec(clause);
    if (match !== null) return pattern.reason({ ...(match.groups ?? {}) } as Params, words);
  }
  return undefined;
}

const EVIDENCE_TAIL = / \((\d+ events of evidence, the first \d+ listed)\)$/;

/**
 * An explanation in the page's language: each known clause from the catalogue, each unknown one as the server
 * wrote it. English pages get the server's text unchanged.
 * @example explain('Many cards emptied at one terminal: 12 different cards used at terminal T9 …', t)
 */
export function explain(text: string, i18n: Translator): string {
  if (i18n.locale === 'en' || text === '') return text;
  const words: Words = (prefix, value) => i18n.term(prefix, value);
  const say = (clause: string): string => {
    const reason = reasonOf(clause, words);
    if (reason !== undefined) return i18n.t(reason.key, reason.params);
    // "Title: reason" and "what happened: why" — translate both halves.
    const colon = clause.indexOf(': ');
    if (colon > 0) return `${say(clause.slice(0, colon))}：${say(clause.slice(colon + 2))}`;
    return clause;
  };
  const sentence = (body: string): string => {
    const whole = reasonOf(body, words);
    if (whole !== undefined) return i18n.t(whole.key, whole.params);
    return body.split('; ').map(say).join('；');
  };
  const tail = EVIDENCE_TAIL.exec(text);
  if (tail === null) return sentence(text);
  return `${sentence(text.slice(0, tail.index))}（${say(tail[1] ?? '')}）`;
}
