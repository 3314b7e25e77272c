/**
 * XML text escaping for NOTIFY bodies. Same set as Asterisk's ast_sip_sanitize_xml: the five
 * XML specials plus CR and LF as character references, so dynamic text (presence messages,
 * display names, URIs) can never break out of an attribute or element.
 */
const ESCAPES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '&': '&amp;',
  "'": '&apos;',
  '\r': '&#13;',
  '\n': '&#10;',
};

/** Characters XML 1.0 cannot carry at all (C0 controls other than TAB, CR, LF). */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function escapeXml(text: string): string {
  return text.replace(FORBIDDEN, '').replace(/[<>"&'\r\n]/g, (c) => ESCAPES[c] as string);
}

/** An xs:ID / NCName-safe id: the text itself when it is one, else "ext-" + text with other characters as "_". */
export function xmlId(text: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(text)) return text;
  return 'ext-' + text.replace(/[^A-Za-z0-9_.-]/g, '_');
}
