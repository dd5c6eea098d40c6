import { createRoot } from 'react-dom/client';
import { createApiClient } from './api/api-client.js';
import { App } from './app.js';
import './styles.css';

// The composition root of the dashboard: one API client, handed down through the app's context.
const api = createApiClient({ baseUrl: '' });
const root = document.getElementById('root');
if (root !== null) createRoot(root).render(<App api={api} />);
