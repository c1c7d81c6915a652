// Only web links become anchors; everything else stays text that React escapes.
const LINK = /(https?:\/\/[^\s<>"]+)/;

/** A plain-text mail body with its web links clickable. */
export function MailText({ text }: { text: string }) {
  const parts = text.split(LINK);
  return (
    <pre className="mail-text">
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text never reorder
          <a key={i} href={part}>
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </pre>
  );
}
