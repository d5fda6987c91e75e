//! Reusable drawing pieces.

pub mod countdown;
pub mod dialog;
pub mod table;
pub mod text;
