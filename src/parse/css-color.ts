/** An sRGB colour with alpha in 0..1; enough to tell whether text stands out from its background. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

// Names seen in real mail; anything else is "unknown" and never hides text.
const NAMED: Readonly<Record<string, string>> = {
  white: '#ffffff',
  snow: '#fffafa',
  ivory: '#fffff0',
  ghostwhite: '#f8f8ff',
  whitesmoke: '#f5f5f5',
  floralwhite: '#fffaf0',
  azure: '#f0ffff',
  mintcream: '#f5fffa',
  seashell: '#fff5ee',
  linen: '#faf0e6',
  black: '#000000',
  silver: '#c0c0c0',
  gray: '#808080',
  grey: '#808080',
  lightgray: '#d3d3d3',
  lightgrey: '#d3d3d3',
  gainsboro: '#dcdcdc',
  red: '#ff0000',
  maroon: '#800000',
  yellow: '#ffff00',
  olive: '#808000',
  lime: '#00ff00',
  green: '#008000',
  aqua: '#00ffff',
  cyan: '#00ffff',
  teal: '#008080',
  blue: '#0000ff',
  navy: '#000080',
  fuchsia: '#ff00ff',
  magenta: '#ff00ff',
  purple: '#800080',
  orange: '#ffa500',
};

function channel(value: string, max: number): number | null {
  const text = value.trim();
  const number = Number.parseFloat(text);
  if (Number.isNaN(number)) return null;
  const scaled = text.endsWith('%') ? (number / 100) * max : number;
  return Math.min(max, Math.max(0, scaled));
}

function fromHex(hex: string): Rgba | null {
  const digits = hex.length === 3 || hex.length === 4 ? [...hex].map((d) => d + d).join('') : hex;
  if (!/^[0-9a-f]{6}([0-9a-f]{2})?$/.test(digits)) return null;
  const at = (i: number): number => Number.parseInt(digits.slice(i, i + 2), 16);
  return { r: at(0), g: at(2), b: at(4), a: digits.length === 8 ? at(6) / 255 : 1 };
}

/** Parses the CSS colour forms mail uses (#rgb, #rrggbb[aa], rgb()/rgba(), names, transparent). */
export function parseCssColor(value: string): Rgba | null {
  const text = value
    .trim()
    .toLowerCase()
    .replace(/\s*!important$/, '');
  if (text === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  if (text.startsWith('#')) return fromHex(text.slice(1));
  const functional = /^rgba?\(([^)]*)\)$/.exec(text);
  if (functional) {
    const parts = (functional[1] ?? '').split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 3) return null;
    const [r, g, b] = parts.slice(0, 3).map((p) => channel(p, 255));
    const a = parts[3] === undefined ? 1 : channel(parts[3], 1);
    if (r == null || g == null || b == null || a == null) return null;
    return { r, g, b, a };
  }
  const named = NAMED[text];
  if (named) return fromHex(named.slice(1));
  // Old HTML attributes (bgcolor="ffffff") often omit the '#'.
  if (/^[0-9a-f]{6}$/.test(text)) return fromHex(text);
  return null;
}

// Within this distance on every channel a reader cannot tell text from background (#fafafa on white).
const NEAR_EQUAL_CHANNEL_DISTANCE = 16;

/** True when text in `color` over `background` cannot be read: fully transparent or nearly the same colour. */
export function isUnreadable(color: Rgba, background: Rgba): boolean {
  if (color.a < 0.1) return true;
  return (
    Math.abs(color.r - background.r) <= NEAR_EQUAL_CHANNEL_DISTANCE &&
    Math.abs(color.g - background.g) <= NEAR_EQUAL_CHANNEL_DISTANCE &&
    Math.abs(color.b - background.b) <= NEAR_EQUAL_CHANNEL_DISTANCE
  );
}
