//! Property tests: the totals identities hold for any valid invoice.

use std::str::FromStr;

use paydesk_core::money::totals::{compute_totals, round, Discount, DiscountKind, LineItem};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn dec(mantissa: i64, scale: u32) -> Decimal {
    Decimal::new(mantissa, scale)
}

prop_compose! {
    fn line(decimals: u32)(
        qty in 1i64..1_000_000, qty_scale in 0u32..=4,
        price in 0i64..100_000_000, tax in 0i64..=1_000_000, disc in 0i64..=1_000_000,
    ) -> LineItem {
        LineItem {
            description: "x".into(),
            quantity: dec(qty, qty_scale),
            unit_price: dec(price, decimals.min(6)),
            tax_rate: dec(tax, 4),
            discount: dec(disc, 4),
        }
    }
}

fn currency_decimals() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), Just(2), Just(6), Just(18)]
}

fn discount() -> impl Strategy<Value = (bool, i64)> {
    (any::<bool>(), 0i64..=1_000_000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn totals_identities_hold(
        (decimals, lines) in currency_decimals().prop_flat_map(|d| (Just(d), prop::collection::vec(line(d), 1..12))),
        (is_amount, raw) in discount(),
    ) {
        // An amount discount is scaled into 0..=subtotal; a percent discount into 0..=100.
        let plain = compute_totals(&lines, Discount::NONE, decimals).unwrap();
        let discount = if is_amount {
            let v = round(plain.subtotal.value * dec(raw, 6), decimals).min(plain.subtotal.value);
            Discount { kind: DiscountKind::Amount, value: v }
        } else {
            Discount { kind: DiscountKind::Percent, value: dec(raw, 4) }
        };
        let t = compute_totals(&lines, discount, decimals).unwrap();
        let unit_places = |d: Decimal| d == round(d, decimals);

        // total = subtotal - discount + tax, exactly.
        prop_assert_eq!(t.total.value, t.subtotal.value - t.discount.value + t.tax.value);
        // subtotal = sum of line nets; tax = sum of line taxes.
        prop_assert_eq!(t.subtotal.value, t.lines.iter().map(|l| l.net.value).sum::<Decimal>());
        prop_assert_eq!(t.tax.value, t.lines.iter().map(|l| l.tax.value).sum::<Decimal>());
        // net = amount - discount per line, and nothing is negative.
        for l in &t.lines {
            prop_assert_eq!(l.net.value, l.amount.value - l.discount.value);
            prop_assert!(l.net.value >= Decimal::ZERO && l.tax.value >= Decimal::ZERO);
            prop_assert!(unit_places(l.amount.value) && unit_places(l.tax.value));
        }
        // The invoice discount never exceeds the subtotal; every figure fits the currency.
        prop_assert!(t.discount.value >= Decimal::ZERO && t.discount.value <= t.subtotal.value);
        for v in [t.subtotal.value, t.discount.value, t.tax.value, t.total.value] {
            prop_assert!(unit_places(v), "{} has more than {} decimals", v, decimals);
        }
        // A discount can only lower the tax and the total.
        prop_assert!(t.tax.value <= plain.tax.value);
        prop_assert!(t.total.value <= plain.total.value);
    }

    #[test]
    fn wire_form_parses_back_to_the_same_value(v in 0i64..i64::MAX, decimals in currency_decimals()) {
        let value = round(dec(v, 6), decimals);
        let wire = paydesk_core::money::totals::format_amount(value, decimals);
        prop_assert_eq!(Decimal::from_str(&wire).unwrap(), value);
    }
}
