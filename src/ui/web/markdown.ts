// Markdown from RESULTs and reports, rendered safely: raw HTML in the Markdown is shown as text
// (a RESULT quoting `<script>` shows the tag), and DOMPurify cleans what marked produced (links
// such as `javascript:` included).
import DOMPurify from "dompurify";
import { Marked } from "marked";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({ renderer: { html: ({ text }) => escapeHtml(text) } });

export function markdownInto(el: HTMLElement, markdown: string): void {
  const html = marked.parse(markdown) as string;
  el.innerHTML = DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "input"], FORBID_ATTR: ["style"] });
  el.classList.add("markdown");
}
