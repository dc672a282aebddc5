/**
 * Removes the signature and mobile-client footers from the end of the newest message.
 * Runs after quote stripping, so what follows a footer is the rest of a quote nobody recognised.
 */

// RFC 3676 says "-- " (dash dash space); many clients trim the space.
const SIGNATURE_DELIMITER = /^-- ?$/;

// Whole-line footers that clients append, in en/it/de/fr/es.
const MOBILE_FOOTERS: readonly RegExp[] = [
  /^sent (from|with) (my )?\S.{0,50}$/i,
  /^get outlook for (ios|android)\b.{0,30}$/i,
  /^inviato (da|dal|dalla|dallo|tramite|con) .{1,50}$/i,
  /^scarica outlook per (ios|android)\b.{0,30}$/i,
  /^von meine[mr]? .{1,50} gesendet\.?$/i,
  /^gesendet (von|vom|mit|über) .{1,50}$/i,
  /^outlook für (ios|android) beziehen\b.{0,30}$/i,
  /^envoy[ée] (de|depuis|à partir de|a partir de|avec|par) .{1,50}$/i,
  /^(t[ée]l[ée]charger|obtenir) outlook pour (ios|android)\b.{0,30}$/i,
  /^enviado (desde|con|de|por) .{1,50}$/i,
  /^(obtener|descargar) outlook para (ios|android)\b.{0,30}$/i,
];

export function isMobileFooter(line: string): boolean {
  const text = line.trim();
  if (text.length === 0 || text.length > 80) return false;
  return MOBILE_FOOTERS.some((pattern) => pattern.test(text));
}

export function stripSignature(text: string): string {
  const lines = text.split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (SIGNATURE_DELIMITER.test(line) || isMobileFooter(line)) {
      end = i;
      break;
    }
  }
  return lines.slice(0, end).join('\n').trim();
}
