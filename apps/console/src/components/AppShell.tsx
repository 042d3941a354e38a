// The frame of every signed-in page: header (brand, project switcher, nav, live state, theme, sign out) and main.
import { LogOut, Settings } from 'lucide-react';
import { NavLink, Outlet, useParams } from 'react-router';
import { useTokenStore } from '../auth/auth-context';
import { paths } from '../routes-paths';
import { ThemeToggle } from '../theme/ThemeToggle';
import { LiveIndicator } from './LiveIndicator';
import { ProjectSwitcher } from './ProjectSwitcher';
import { ShortcutHelp } from './ShortcutHelp';
import styles from './AppShell.module.css';

export function AppShell() {
  const { p } = useParams();
  const tokens = useTokenStore();
  const navClass = ({ isActive }: { isActive: boolean }) => (isActive ? `${styles.navLink} ${styles.active}` : styles.navLink);
  return (
    <div className={styles.shell}>
      <a className={styles.skip} href="#main">Skip to content</a>
      <header className={styles.header}>
        <NavLink to={paths.home()} className={styles.brand}>Keelson</NavLink>
        <ProjectSwitcher />
        <nav aria-label="Main" className={styles.nav}>
          <NavLink to={paths.home()} end className={navClass}>Home</NavLink>
          <NavLink to={paths.approvals()} className={navClass}>Approvals</NavLink>
          {p && <NavLink to={paths.pipelines(p)} className={navClass}>Pipelines</NavLink>}
          {p && <NavLink to={paths.queue(p)} className={navClass}>Queue</NavLink>}
          {p && <NavLink to={paths.repositories(p)} className={navClass}>Repositories</NavLink>}
          {p && <NavLink to={paths.providers(p)} className={navClass}>Git providers</NavLink>}
        </nav>
        <div className={styles.tools}>
          <LiveIndicator />
          <ThemeToggle />
          <ShortcutHelp />
          <NavLink to={paths.settings()} className={navClass}>
            <Settings size={16} aria-hidden="true" />
            <span>Settings</span>
          </NavLink>
          <button type="button" className={styles.signOut} onClick={() => tokens.clear()}>
            <LogOut size={16} aria-hidden="true" />
            <span>Sign out</span>
          </button>
        </div>
      </header>
      <main id="main" className={styles.main} tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
