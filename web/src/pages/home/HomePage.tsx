import { useAccount } from '../../api/session';
import { BrandHome } from '../brand/BrandHome';
import { PartnerHome } from '../partner/PartnerHome';

export function HomePage() {
  const account = useAccount();
  return account.Kind === 'BRAND' ? <BrandHome /> : <PartnerHome />;
}
