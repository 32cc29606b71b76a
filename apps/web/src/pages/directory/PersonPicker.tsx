/**
 * A person chosen by typing part of their name, e-mail or position: the people the user may see are found by the API
 * (GET /api/people) as they type; an e-mail may still be typed whole. The value is the person's e-mail, which is what
 * the substitutions API takes.
 */
import { AutoComplete, Input } from 'antd';
import { useMemo } from 'react';
import './directory.css';
import { useDebounced, usePeopleSearch } from './queries';

interface PersonPickerProps {
  id?: string;
  value?: string;
  onChange?: (value: string) => void;
  /** Only people who can log in now (a deputy must). */
  withLogin?: boolean;
  /** Left out of the suggestions (the person being deputised cannot deputise themselves). */
  exclude?: string[];
  placeholder?: string;
  'aria-describedby'?: string;
}

export function PersonPicker({ id, value = '', onChange, withLogin = false, exclude = [], placeholder, ...rest }: PersonPickerProps) {
  const term = useDebounced(value);
  const found = usePeopleSearch(term, withLogin);
  const options = useMemo(() => {
    const seen = new Set(exclude.map((e) => e.toLowerCase()));
    return (found.data ?? []).flatMap((p) => {
      const email = p.email.toLowerCase();
      // The same e-mail may be listed in several organisations; the API resolves it to one person.
      if (seen.has(email)) return [];
      seen.add(email);
      return [
        {
          value: p.email,
          label: (
            <div className="person-option">
              <span>{p.fullName}</span>
              <span className="person-option-detail">
                {p.email} · {p.organizationName}
                {p.position ? ` · ${p.position}` : ''}
              </span>
            </div>
          ),
        },
      ];
    });
  }, [found.data, exclude]);

  // Once an e-mail is chosen or typed whole, say whose it is: the field itself shows only the address.
  const chosen = value.trim() ? found.data?.find((p) => p.email.toLowerCase() === value.trim().toLowerCase()) : undefined;

  return (
    <>
      <AutoComplete
        id={id}
        value={value}
        options={options}
        onChange={(next: string) => onChange?.(next)}
        // The API has already matched name, e-mail and position; the options' values (e-mails) need not match the text.
        showSearch={{ filterOption: false }}
        notFoundContent={found.isFetching ? 'Поиск…' : term.trim() ? 'Никого не нашлось' : undefined}
      >
        <Input type="text" autoComplete="off" placeholder={placeholder} aria-describedby={rest['aria-describedby']} />
      </AutoComplete>
      <div className="person-option-detail person-chosen" aria-live="polite">
        {chosen ? `${chosen.fullName} · ${chosen.organizationName}` : ''}
      </div>
    </>
  );
}
