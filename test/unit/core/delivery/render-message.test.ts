import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../../../src/core/delivery/render-message.js';

const templates = { task_overdue: 'Task {{task}} is overdue: {{target_url}}', empty: '  ' };
const builtins = { target_url: 'https://x.test/t/1' };

describe('renderMessage', () => {
  it('uses literal text when given', () => {
    expect(
      renderMessage({ text: 'hi', template: '', variables: {} }, 'task_overdue', templates, builtins, 'fb'),
    ).toEqual({ text: 'hi', fallbackUsed: false });
  });

  it('renders the trigger_type template with variables and built-ins', () => {
    expect(
      renderMessage(
        { text: '', template: '', variables: { task: 'X' } },
        'task_overdue',
        templates,
        builtins,
        'fb',
      ),
    ).toEqual({
      text: 'Task X is overdue: https://x.test/t/1',
      fallbackUsed: false,
    });
  });

  it('falls back on a missing variable, a missing template or an empty result', () => {
    const fallback = { text: 'fb', fallbackUsed: true };
    expect(
      renderMessage({ text: '', template: '', variables: {} }, 'task_overdue', templates, builtins, 'fb'),
    ).toEqual(fallback);
    expect(
      renderMessage({ text: '', template: 'nope', variables: {} }, 'task_overdue', templates, builtins, 'fb'),
    ).toEqual(fallback);
    expect(
      renderMessage({ text: '', template: 'empty', variables: {} }, 'x', templates, builtins, 'fb'),
    ).toEqual(fallback);
  });
});
