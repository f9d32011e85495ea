import { Link } from 'react-router';
import { useSession } from '../../api/session';
import { EmptyState } from '../../components/Feedback';

export function NoAccountPage() {
  const { me } = useSession();
  return (
    <div className="page">
      <EmptyState title="No account yet">
        {me.User.Email} is not a member of any brand or partner account. Ask an admin of your company's Lockstep
        account to invite you.
      </EmptyState>
    </div>
  );
}

export function NotFoundPage() {
  return (
    <div className="page">
      <EmptyState title="Page not found" action={<Link to="/" className="btn btn-primary">Go to Home</Link>}>
        There is no page at this address.
      </EmptyState>
    </div>
  );
}
