// A QR code drawn as SVG elements (no inline style string, so the CSP holds), from uqr's module matrix.
import { useMemo } from 'preact/hooks';
import { encode } from 'uqr';

/** Four modules of light margin all round: the quiet zone the QR standard asks for, so printed codes scan. */
const QUIET = 4;

export function QrCode({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const { size, path } = useMemo(() => {
    // Level M survives a smudge or a fold in a printed certificate; the URL is short enough for a small version.
    const qr = encode(text, { ecc: 'M', border: 0 });
    let d = '';
    qr.data.forEach((row, y) =>
      row.forEach((dark, x) => {
        if (dark) d += `M${x + QUIET} ${y + QUIET}h1v1h-1z`;
      }),
    );
    return { size: qr.size + 2 * QUIET, path: d };
  }, [text]);
  return (
    <svg
      class="qr-code"
      data-testid={testId}
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size} ${size}`}
      shape-rendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
