// The sidebar's brand in portal mode: the session theme's logo and name instead of "hookrun".
import type { PortalBrand } from "../session-context";

export function PortalBrandMark(props: { brand: PortalBrand }) {
  return (
    <div class="brand portal-brand" data-testid="portal-brand">
      {props.brand.logoUrl && <img src={props.brand.logoUrl} alt="" referrerpolicy="no-referrer" />}
      <span>{props.brand.name}</span>
    </div>
  );
}
