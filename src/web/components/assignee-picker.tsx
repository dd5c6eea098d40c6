import type { ApiClient } from '../api/api-client.js';
import type { UserView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { useApiData } from '../use-api-data.js';

/** Who may be given an alert or a case: the people who work them. */
const ASSIGNABLE = 'investigator,supervisor';

/**
 * One request per signed-in user however many pickers a page shows (the alert queue has one a row);
 * undefined when the server does not list users to this user (an older server), so a typed name stands in.
 */
const lists = new WeakMap<ApiClient, Map<string, Promise<readonly UserView[] | undefined>>>();

function assignableUsers(api: ApiClient, userId: string): Promise<readonly UserView[] | undefined> {
  const perUser = lists.get(api) ?? new Map<string, Promise<readonly UserView[] | undefined>>();
  lists.set(api, perUser);
  let list = perUser.get(userId);
  if (list === undefined) {
    list = api.get<{ items: readonly UserView[] }>('/api/users', { role: ASSIGNABLE, active: 'true' }).then(
      (page) => page.items,
      () => undefined,
    );
    perUser.set(userId, list);
  }
  return list;
}

/**
 * The assignee as a choice from the users who work alerts and cases (name, role, unit), labelled by `label`
 * (the caller renders the `<label htmlFor={id}>`); a typed name when the list cannot be read.
 */
export function AssigneePicker(props: {
  readonly id: string;
  readonly value: string;
  readonly onChange: (name: string) => void;
  readonly testId?: string;
}) {
  const { api, i18n, user } = useApp();
  const userId = user?.userId ?? '';
  const { data: users, loading } = useApiData(() => assignableUsers(api, userId), [api, userId]);
  if (users === undefined && !loading) {
    return (
      <input
        id={props.id}
        size={10}
        value={props.value}
        required
        placeholder={i18n.t('alerts.assignTo')}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
      />
    );
  }
  const names = new Set((users ?? []).map((u) => u.name));
  return (
    <select
      id={props.id}
      value={props.value}
      required
      onChange={(e) => props.onChange(e.target.value)}
      data-testid={props.testId}
    >
      <option value="">{i18n.t('assignee.choose')}</option>
      {/* The current assignee stays selectable even when no longer in the list (disabled, or another role). */}
      {props.value !== '' && !names.has(props.value) ? (
        <option value={props.value}>{props.value}</option>
      ) : null}
      {(users ?? []).map((u) => (
        <option key={u.userId} value={u.name}>
          {`${u.name} · ${i18n.term('role', u.role)}${u.unit === undefined ? '' : ` · ${u.unit}`}`}
        </option>
      ))}
    </select>
  );
}
