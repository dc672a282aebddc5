/** Builds a small RFC 5322 message for tests. */
export function makeEml(fields: { from?: string; to?: string; subject?: string; body?: string; messageId?: string; headers?: Record<string, string>; date?: string }): Buffer {
  const lines = [
    `From: ${fields.from ?? 'Maria Rossi <maria@azienda.example>'}`,
    `To: ${fields.to ?? 'support@mailroom.example'}`,
    `Subject: ${fields.subject ?? 'Non funziona il login'}`,
    `Date: ${fields.date ?? 'Mon, 23 Nov 2026 09:13:58 +0100'}`,
    `Message-ID: ${fields.messageId ?? `<${Math.random().toString(36).slice(2)}@azienda.example>`}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    ...Object.entries(fields.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    '',
    fields.body ?? 'Buongiorno, da stamattina il login non funziona: errore 500 dopo la password. Grazie, Maria',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
