/**
 * The search's highlighted fragments (`titleHtml`, `snippetHtml`: text HTML-escaped, matches in <mark>) rendered as
 * React text and <mark> elements — never as HTML, so nothing a school typed can run in the page.
 */
import { Fragment } from 'react';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e);
}

/** Splits the marked-up text into plain and matched parts. */
export function highlightParts(html: string): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  const re = /<mark>([\s\S]*?)<\/mark>/g;
  let last = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (m.index > last) parts.push({ text: unescape(html.slice(last, m.index)), match: false });
    parts.push({ text: unescape(m[1]), match: true });
    last = m.index + m[0].length;
  }
  if (last < html.length) parts.push({ text: unescape(html.slice(last)), match: false });
  return parts;
}

export function Highlighted({ html }: { html: string }) {
  return (
    <>
      {highlightParts(html).map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <Fragment key={i}>{p.text}</Fragment>))}
    </>
  );
}
