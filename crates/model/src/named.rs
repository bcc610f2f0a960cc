//! Enums whose values scenario files name by string.
//!
//! [`named_enum!`](crate::named_enum) declares the enum, its list of names and the
//! mapping both ways from one list of `Variant = "name"` pairs, so that the names a
//! validator accepts and the values a reader maps them to cannot drift apart, and no
//! mapping needs a catch-all arm.

/// An enum whose values have names in scenario files (declared with
/// [`named_enum!`](crate::named_enum)).
pub trait Named: Copy + Sized + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The name of each value, in the order of [`Named::ALL`].
    const NAMES: &'static [&'static str];

    /// The name of this value.
    fn name(self) -> &'static str;

    /// The value named exactly `name` (names are case-sensitive).
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
}

/// Declares an enum with a name per variant and implements [`Named`] for it:
///
/// ```
/// immunosim_model::named_enum! {
///     /// A colour.
///     pub enum Colour {
///         /// Red.
///         Red = "red",
///         /// Light blue.
///         LightBlue = "light_blue",
///     }
/// }
/// use immunosim_model::named::Named;
/// assert_eq!(Colour::NAMES, ["red", "light_blue"]);
/// assert_eq!(Colour::from_name("light_blue"), Some(Colour::LightBlue));
/// assert_eq!(Colour::from_name("Red"), None);
/// ```
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $crate::named::Named for $name {
            const ALL: &'static [Self] = &[$( $name::$variant ),+];
            const NAMES: &'static [&'static str] = &[$( $text ),+];

            fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }
        }
    };
}
