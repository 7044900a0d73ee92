// @vitest-environment happy-dom
/**
 * The settings table is the one place each range is written: for every row, the config check, the
 * URL parser, the controls and the training CLI accept its ends and refuse just past them.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fieldProps, ControlsPanel } from '../../src/app/controls/ControlsPanel';
import { DEFAULT_SETTINGS, parseSettings, SETTINGS_TABLE, type Settings } from '../../src/app/state/settings';
import { configProblems, DEFAULT_CONFIG, makeConfig } from '../../src/core/model/config';
import { appRange, SETTING_ROWS, type SettingRow } from '../../src/core/model/settings-table';
import { parseTrainArgs, TRAIN_OPTIONS } from '../../scripts/lib/train-options';
import { UsageError } from '../../scripts/lib/cli';

afterEach(cleanup);

const rows = Object.entries(SETTING_ROWS) as [string, SettingRow][];

/** Values at the ends of a range (accepted) and just past them (refused), as text. */
function probes(row: SettingRow, range: { min: number; max: number }): { inside: string[]; outside: string[] } {
  const t = row.type;
  const { min, max } = range;
  switch (t.kind) {
    case 'int':
      return { inside: [String(min), String(max)], outside: [String(min - 1), String(max + 1), `${min}.5`] };
    case 'number': {
      const span = max - min;
      return {
        inside: [String(t.above ? min + span / 1000 : min), String(t.below ? max - span / 1000 : max)],
        outside: [String(t.above ? min : min - span / 10), String(t.below ? max : max + span / 10), 'abc'],
      };
    }
    case 'sizes':
      return {
        inside: [String(min), String(max), Array(t.maxCount).fill(min).join(',')],
        outside: [String(min - 1), String(max + 1), Array(t.maxCount + 1).fill(min).join(','), `${min},,${min}`],
      };
    case 'choice':
      return { inside: [...t.values], outside: ['bogus'] };
    case 'flag':
      return { inside: [], outside: [] };
  }
}

/** The typed value of a probe's text. */
const valueOf = (row: SettingRow, text: string): unknown =>
  row.type.kind === 'sizes' ? text.split(',').map(Number) : row.type.kind === 'choice' ? text : Number(text);

const typeRange = (row: SettingRow) => ('min' in row.type ? { min: row.type.min, max: row.type.max } : { min: 0, max: 0 });

describe('the settings table', () => {
  it('gives every row a label, a tooltip and an effect, and an app range only inside its type range, with a reason', () => {
    for (const [name, row] of rows) {
      expect(row.label.length, name).toBeGreaterThan(1);
      expect(row.tip.length, name).toBeGreaterThan(10);
      if ('app' in row && row.app) {
        expect(row.app.min).toBeGreaterThanOrEqual(typeRange(row).min);
        expect(row.app.max).toBeLessThanOrEqual(typeRange(row).max);
        expect(row.app.reason.length).toBeGreaterThan(10);
      }
    }
  });

  it.each(rows.filter(([, r]) => r.field !== null))('config check of %s follows the row (type range)', (_name, row) => {
    const field = row.field!;
    const { inside, outside } = probes(row, typeRange(row));
    for (const text of inside) expect(configProblems({ ...DEFAULT_CONFIG, [field]: valueOf(row, text) } as never), text).toEqual([]);
    for (const text of outside) {
      const problems = configProblems({ ...DEFAULT_CONFIG, [field]: valueOf(row, text) } as never);
      expect(problems, text).toHaveLength(1);
      expect(problems[0]).toContain(row.what);
    }
    if (row.type.kind === 'flag') expect(() => makeConfig({ [field]: 'yes' } as never)).toThrow(`Invalid model settings: ${row.what} must be true or false`);
  });

  it.each(rows.filter(([, r]) => r.url !== null))('URL parameter %s follows the row (app range)', (_name, row) => {
    const key = row.url as keyof Settings;
    expect(SETTINGS_TABLE[key].effect).toBe(row.effect);
    const { inside, outside } = probes(row, row.type.kind === 'choice' || row.type.kind === 'flag' ? { min: 0, max: 0 } : appRange(row));
    for (const text of inside) {
      const { settings, problems } = parseSettings(`?${key}=${text}`);
      expect(problems, text).toEqual([]);
      expect(settings[key]).toEqual(valueOf(row, text));
    }
    for (const text of outside) {
      const { settings, problems } = parseSettings(`?${key}=${encodeURIComponent(text)}`);
      expect(problems, text).toHaveLength(1);
      expect(problems[0]).toContain(`Ignored ${key}=`);
      expect(settings[key]).toEqual(DEFAULT_SETTINGS[key]);
    }
  });

  it.each(rows.filter(([, r]) => r.cli !== null))('CLI option --%s follows the row (type range)', (_name, row) => {
    const flag = `--${row.cli}`;
    expect(TRAIN_OPTIONS[row.cli as keyof typeof TRAIN_OPTIONS]).toBeDefined();
    if (row.type.kind === 'flag') {
      expect(parseTrainArgs([flag])[row.cli as 'binarize']).toBe(true);
      expect(() => parseTrainArgs([`${flag}=1`])).toThrow(UsageError);
      return;
    }
    const { inside, outside } = probes(row, typeRange(row));
    for (const text of inside) expect(parseTrainArgs([`${flag}=${text}`])[row.cli as keyof typeof TRAIN_OPTIONS], text).toEqual(valueOf(row, text));
    for (const text of outside) expect(() => parseTrainArgs([`${flag}=${text}`]), text).toThrow(UsageError);
  });

  it('a config may have no hidden layer; in text (the URL, the CLI) a list of sizes holds at least one', () => {
    expect(configProblems({ ...DEFAULT_CONFIG, hidden: [] })).toEqual([]);
    expect(parseSettings('?hidden=').problems[0]).toMatch(/hidden layer sizes must be at most 8 whole numbers from 1 to 4096/);
    expect(() => parseTrainArgs(['--hidden', ''])).toThrow(/needs at least one layer size/);
  });

  it('keeps two latent ranges: the CLI trains 1 and 256 dimensions, the URL refuses what the app cannot show', () => {
    expect(parseTrainArgs(['--latent', '1']).latent).toBe(1);
    expect(parseTrainArgs(['--latent', '256']).latent).toBe(256);
    expect(parseSettings('?latent=1').problems[0]).toMatch(/the latent dimension must be a whole number from 2 to 64/);
    expect(parseSettings('?latent=65').problems[0]).toMatch(/from 2 to 64/);
  });
});

describe('the controls take their words and ranges from the table', () => {
  function panel() {
    const onChange = vi.fn();
    const onInvalid = vi.fn();
    const settings = { ...DEFAULT_SETTINGS, likelihood: 'gaussian' as const, latent: 3 };
    render(
      <ControlsPanel settings={settings} onChange={onChange} onInvalid={onInvalid} training={false} ready onTrainToggle={() => {}} onStep={() => {}} onReset={() => {}} />,
    );
    return { onChange, onInvalid };
  }

  it.each(['beta', 'warmup', 'variance', 'lr', 'latent'] as const)('number field %s: label, tooltip, min, max and step', (name) => {
    panel();
    const row = SETTING_ROWS[name];
    const input = screen.getByLabelText(row.label) as HTMLInputElement;
    const { min, max } = appRange(row);
    expect(input.min).toBe(String(min));
    expect(input.max).toBe(String(max));
    expect(input.step).toBe(row.step);
    expect(input.title).toBe(row.tip);
    expect(fieldProps(name)).toMatchObject({ label: row.label, tip: row.tip, min, max });
  });

  it.each(['beta', 'warmup', 'variance', 'lr', 'latent', 'hidden'] as const)('field %s refuses what the URL refuses and applies what it takes', (name) => {
    const { onChange, onInvalid } = panel();
    const row = SETTING_ROWS[name];
    const input = screen.getByLabelText(row.label) as HTMLInputElement;
    const { inside, outside } = probes(row, appRange(row));
    for (const text of outside.filter((t) => t !== 'abc')) {
      fireEvent.change(input, { target: { value: text } });
      fireEvent.blur(input);
    }
    expect(onChange).not.toHaveBeenCalled();
    expect(onInvalid).toHaveBeenCalledTimes(outside.filter((t) => t !== 'abc').length);
    expect(onInvalid.mock.calls[0][0]).toMatch(/^Not applied: .+\.$/);
    fireEvent.change(input, { target: { value: inside[1] } });
    fireEvent.blur(input);
    expect(onChange).toHaveBeenCalledWith({ [name]: valueOf(row, inside[1]) });
  });

  it.each(rows.filter(([, r]) => r.url !== null && r.field !== null))('the model setting %s in the address has a control with its label and tooltip', (_name, row) => {
    panel();
    const control = screen.getByLabelText(row.label) as HTMLInputElement | HTMLSelectElement;
    expect(control.title).toBe(row.tip);
  });

  it('the model family select and the conditional checkbox: the table choices, and a change is asked for with a typed value', () => {
    const { onChange } = panel();
    const family = screen.getByLabelText(SETTING_ROWS.arch.label) as HTMLSelectElement;
    expect([...family.options].map((o) => o.value)).toEqual([...SETTING_ROWS.arch.type.values]);
    fireEvent.change(family, { target: { value: 'conv' } });
    expect(onChange).toHaveBeenLastCalledWith({ arch: 'conv' });
    const conditional = screen.getByLabelText(SETTING_ROWS.conditional.label) as HTMLInputElement;
    expect(conditional.type).toBe('checkbox');
    expect(conditional.checked).toBe(DEFAULT_SETTINGS.conditional);
    fireEvent.click(conditional);
    expect(onChange).toHaveBeenLastCalledWith({ conditional: true });
  });

  it('the likelihood and batch selects: the table label and tooltip, its choices, sizes inside its range', () => {
    panel();
    const likelihood = screen.getByLabelText(SETTING_ROWS.likelihood.label) as HTMLSelectElement;
    expect([...likelihood.options].map((o) => o.value)).toEqual([...SETTING_ROWS.likelihood.type.values]);
    const batch = screen.getByLabelText(SETTING_ROWS.batch.label) as HTMLSelectElement;
    expect(batch.title).toBe(SETTING_ROWS.batch.tip);
    const { min, max } = appRange(SETTING_ROWS.batch);
    for (const o of batch.options) expect(Number(o.value) >= min && Number(o.value) <= max).toBe(true);
  });
});
