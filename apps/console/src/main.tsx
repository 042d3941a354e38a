import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { TokenStore } from './auth/token-store';
import { applyTheme, readThemePreference } from './theme/theme';
import './theme/global.css';

applyTheme(readThemePreference());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App tokens={new TokenStore()} />
  </StrictMode>,
);
