import { Link, useLocation } from 'react-router';
import { Empty } from '../components/States';
import { paths } from '../routes-paths';

export function NotFoundPage() {
  const location = useLocation();
  return (
    <Empty title="No such page">
      The console has no page at <code>{location.pathname}</code>. <Link to={paths.home()}>Go to the projects</Link>.
    </Empty>
  );
}
