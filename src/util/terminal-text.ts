/**
 * Text from mail, receivers and API clients, made safe to print to a terminal. An escape sequence
 * in a subject could clear the screen, retitle the window, hide the lines before it or (on some
 * terminals) answer with keystrokes; a CR or LF inside a display name could pass for a header line.
 * Every control character is shown as a visible escape (`\u001b`, `\r`), which is also valid
 * inside a JSON string, so the text stays unambiguous and cannot act.
 */

// C0 controls, DEL, C1 controls, and the bidirectional overrides that reorder what is shown.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function show(char: string): string {
  return NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One line of text: every control character (newlines and tabs included) made visible. */
export function visible(text: string): string {
  return text.replace(CONTROL, show);
}

/** Text of several lines (a draft's body): newlines and tabs kept, every other control character made visible. */
export function visibleLines(text: string): string {
  return text.replace(CONTROL_EXCEPT_LINES, show);
}
