/** Declarations of a `style` attribute, names and values lower-cased, `!important` dropped. */
export function parseInlineStyle(style: string): Map<string, string> {
  const declarations = new Map<string, string>();
  for (const declaration of style.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon <= 0) continue;
    const name = declaration.slice(0, colon).trim().toLowerCase();
    const value = declaration
      .slice(colon + 1)
      .trim()
      .toLowerCase()
      .replace(/\s*!\s*important$/, '');
    if (name) declarations.set(name, value);
  }
  return declarations;
}

interface Length {
  value: number;
  unit: string;
}

function parseLength(text: string): Length | null {
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))([a-z%]*)$/.exec(text.trim());
  if (!match) return null;
  return { value: Number.parseFloat(match[1] ?? ''), unit: match[2] ?? '' };
}

/** Zero in any unit, or too small for anyone to read (1px text, 0.1em). */
function isTinyFontSize(text: string): boolean {
  const length = parseLength(text);
  if (!length) return false;
  if (length.value <= 0) return true;
  switch (length.unit) {
    case 'px':
      return length.value < 2;
    case 'pt':
      return length.value < 1.5;
    case 'em':
    case 'rem':
    case 'ex':
    case 'ch':
      return length.value < 0.15;
    case '%':
      return length.value < 15;
    default:
      return false;
  }
}

function isZeroLength(text: string | undefined): boolean {
  if (text === undefined) return false;
  const length = parseLength(text);
  return length !== null && length.value === 0;
}

// Moving text this far off-screen is a hiding trick, not layout.
const OFF_SCREEN_PX = 500;

function isFarOffScreen(text: string | undefined): boolean {
  if (text === undefined) return false;
  const length = parseLength(text);
  if (!length || length.value >= 0) return false;
  const px = length.unit === 'em' || length.unit === 'rem' ? length.value * 16 : length.value;
  return -px >= OFF_SCREEN_PX;
}

/**
 * Which inline-style rule hides the element from a reader, or null when it is visible.
 * Only inline styles count: `<style>` sheets are not evaluated (see the module notes).
 */
export function hiddenByStyle(style: Map<string, string>): string | null {
  if (style.get('display') === 'none') return 'display:none';
  const visibility = style.get('visibility');
  if (visibility === 'hidden' || visibility === 'collapse') return `visibility:${visibility}`;
  if (style.get('mso-hide') === 'all') return 'mso-hide:all';
  const fontSize = style.get('font-size');
  if (fontSize !== undefined && isTinyFontSize(fontSize)) return 'font-size:0';
  const font = style.get('font');
  if (font !== undefined) {
    // `font: 0/0 a` is the classic shorthand for invisible text.
    const size = font.split(/\s+/).find((token) => /^[\d.]/.test(token));
    if (size !== undefined && isTinyFontSize(size.split('/')[0] ?? '')) return 'font-size:0';
  }
  const opacity = style.get('opacity');
  if (opacity !== undefined) {
    const length = parseLength(opacity);
    if (length && (length.unit === '%' ? length.value / 100 : length.value) < 0.05) return 'opacity:0';
  }
  if (style.get('overflow') === 'hidden' || style.get('overflow-y') === 'hidden' || style.get('overflow-x') === 'hidden') {
    for (const name of ['max-height', 'height', 'max-width', 'width']) {
      if (isZeroLength(style.get(name))) return `${name}:0 with overflow:hidden`;
    }
  }
  if (isFarOffScreen(style.get('text-indent'))) return 'text-indent off-screen';
  const position = style.get('position');
  if ((position === 'absolute' || position === 'fixed') && (isFarOffScreen(style.get('left')) || isFarOffScreen(style.get('top')))) {
    return 'positioned off-screen';
  }
  return null;
}
