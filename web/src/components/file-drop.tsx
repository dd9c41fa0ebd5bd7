import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.js';

/**
 * Drop a file on the zone or choose it with the (labelled, keyboard-reachable) file input. The file is only handed to
 * `onFile`; what happens to it (hashing in the page, an upload) is the page's choice.
 */
export function FileDrop({ id, onFile, label }: { id: string; onFile: (file: File) => void; label?: string }) {
  const { t } = useI18n();
  const [over, setOver] = useState(false);
  const [name, setName] = useState<string | null>(null);
  const take = (file: File) => {
    setName(file.name);
    onFile(file);
  };
  return (
    <div
      class={over ? 'file-drop over' : 'file-drop'}
      data-testid={`${id}-zone`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const file = e.dataTransfer?.files[0];
        if (file) take(file);
      }}
    >
      <p>{label ?? t('file.drop')}</p>
      <label for={id}>{t('file.choose')}</label>
      <input
        id={id}
        type="file"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file) take(file);
          // Choosing the same file again is a new check too.
          e.currentTarget.value = '';
        }}
      />
      {name ? <p class="file-name">{name}</p> : null}
    </div>
  );
}
