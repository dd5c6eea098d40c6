import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCharacter } from '../core/id-number.js';
import { createPersonNormaliser, type PersonInput } from '../linkage/china-preset.js';
import { sameDeath, twinConflict } from './twins.js';

const normalise = createPersonNormaliser();
const id = (first17: string) => first17 + checkCharacter(first17);
/** A living beneficiary, and a decoy born the same day in the same county under the same name. */
const OURS = id('43042219490312460');
const DECOYS = id('43042219490312462');
const beneficiary = normalise({
  id: 'B1',
  name: '刘秀英',
  idNumber: OURS,
  sex: 'F',
  birthDate: '1949-03-12',
  regionCode: '430422',
});
const report = (recordId: string, fields: Partial<PersonInput> = {}) =>
  normalise({
    id: recordId,
    name: '刘秀英',
    sex: 'F',
    birthDate: '1949-03-12',
    regionCode: '430422',
    ...fields,
  });

describe('the death feed grouped by person (twins)', () => {
  it("an ID-less report is someone else's when another report of the death carries another person's ID", () => {
    const cremation = report('cremation|HH1');
    const household = report('household_register|HJ1', { idNumber: DECOYS });
    expect(twinConflict(cremation, [cremation, household], beneficiary)).toBe(true);
    // The same with the birth date left out of the ID-less report (it cannot contradict).
    const noBirth = report('cremation|HH2', { birthDate: undefined, sex: undefined });
    expect(twinConflict(noBirth, [noBirth, household], beneficiary)).toBe(true);
  });

  it("a report carrying the beneficiary's ID, even mistyped, keeps the death this beneficiary's", () => {
    const cremation = report('cremation|HH1');
    const decoy = report('hospital|YX1', { idNumber: DECOYS });
    const ours = report('household_register|HJ1', { idNumber: OURS });
    expect(twinConflict(cremation, [cremation, decoy, ours], beneficiary)).toBe(false);
    // One digit wrong (the check character no longer holds): a typo of our number, not another person's.
    const typo = report('civil_affairs|MZ1', { idNumber: `${OURS.slice(0, 10)}9${OURS.slice(11)}` });
    expect(twinConflict(cremation, [cremation, decoy, typo], beneficiary)).toBe(false);
  });

  it('reports that contradict on birth date or sex are other deaths; a record with its own ID is judged by it', () => {
    const cremation = report('cremation|HH1');
    const otherBirth = report('household_register|HJ1', { idNumber: DECOYS, birthDate: '1950-03-12' });
    const otherSex = report('hospital|YX1', { idNumber: DECOYS, sex: 'M' });
    expect(sameDeath(cremation, otherBirth)).toBe(false);
    expect(sameDeath(cremation, otherSex)).toBe(false);
    expect(twinConflict(cremation, [cremation, otherBirth, otherSex], beneficiary)).toBe(false);
    // The birth date an ID embeds counts where the column is empty, even when the number fails its check (a typo).
    const typoed = `${DECOYS.slice(0, 6)}19390226${DECOYS.slice(14, 17)}0`;
    const embedded = report('cremation|HH7', { idNumber: typoed, birthDate: undefined });
    expect(embedded.idNumber?.valid).toBe(false);
    expect(sameDeath(cremation, embedded)).toBe(false);
    expect(twinConflict(cremation, [cremation, embedded], beneficiary)).toBe(false);
    // Another prefecture's death on the same day under the same name is not grouped (Changsha 4301 ≠ Hengyang 4304);
    // the city hospital of the same prefecture is.
    const changsha = report('household_register|HJ2', {
      idNumber: id('43010219490312601'),
      regionCode: '430102',
    });
    expect(sameDeath(cremation, changsha)).toBe(false);
    expect(twinConflict(cremation, [cremation, changsha], beneficiary)).toBe(false);
    const cityHospital = report('hospital|YX4', { idNumber: DECOYS, regionCode: '430405' });
    expect(twinConflict(cremation, [cremation, cityHospital], beneficiary)).toBe(true);
    // No twin at all, or only ID-less twins: nothing says whose death it is.
    expect(twinConflict(cremation, [cremation], beneficiary)).toBe(false);
    expect(twinConflict(cremation, [cremation, report('hospital|YX2')], beneficiary)).toBe(false);
    // The record's own ID decides for it (the link's own ID level), not its twins.
    const withId = report('civil_affairs|MZ2', { idNumber: OURS });
    expect(twinConflict(withId, [withId, report('hospital|YX3', { idNumber: DECOYS })], beneficiary)).toBe(
      false,
    );
    // A beneficiary without an ID on the roll cannot be told from the decoy.
    const noId = normalise({
      id: 'B2',
      name: '刘秀英',
      sex: 'F',
      birthDate: '1949-03-12',
      regionCode: '430422',
    });
    expect(
      twinConflict(cremation, [cremation, report('household_register|HJ1', { idNumber: DECOYS })], noId),
    ).toBe(false);
  });

  it('property: the order of the reports never matters, and one report with our ID always clears the record', () => {
    const cremation = report('cremation|HH1');
    const others = [
      report('household_register|HJ1', { idNumber: DECOYS }),
      report('hospital|YX1', { idNumber: DECOYS, birthDate: undefined }),
      report('civil_affairs|MZ1'),
      report('hospital|YX2', { idNumber: id('43042619490312535') }),
    ];
    const ours = report('household_register|HJ9', { idNumber: OURS });
    fc.assert(
      fc.property(fc.shuffledSubarray(others), fc.boolean(), (subset, withOurs) => {
        const reports = withOurs ? [...subset, ours, cremation] : [cremation, ...subset];
        const expected = !withOurs && subset.some((r) => r.idNumber !== undefined);
        expect(twinConflict(cremation, reports, beneficiary)).toBe(expected);
        expect(twinConflict(cremation, [...reports].reverse(), beneficiary)).toBe(expected);
      }),
    );
  });
});
