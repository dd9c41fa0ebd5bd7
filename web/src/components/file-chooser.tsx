// A file input that speaks the page's language: the browser's own button says "Choose File" (or 选择文件) in the
// browser's language whatever the page's, so it stays in the tab order and the accessibility tree, out of sight, and a
// label in the page's language opens it, with the chosen file's name (or that none is chosen) beside it.
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.js';

export function FileChooser({
  id,
  onFile,
  accept,
  required,
}: {
  id: string;
  /** The file chosen; null when the choice was cancelled (the browser then empties the input). */
  onFile: (file: File | null) => void;
  accept?: string;
  required?: boolean;
}) {
  const { t } = useI18n();
  const [name, setName] = useState<string | null>(null);
  return (
    <span class="file-chooser">
      <input
        id={id}
        type="file"
        accept={accept}
        required={required}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0] ?? null;
          setName(file?.name ?? null);
          onFile(file);
        }}
      />
      <label for={id} class="file-chooser-button">
        {t('file.choose')}
      </label>{' '}
      <span class="file-name" data-testid={`${id}-name`}>
        {name ?? t('file.none')}
      </span>
    </span>
  );
}
