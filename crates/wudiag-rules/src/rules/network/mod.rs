//! `NET`: proxy, TLS, DNS, Mux, Delivery Optimization.

pub mod connection_timeout;
pub mod delivery_optimization_failed;
pub mod mux_connection_failed;
pub mod proxy_or_name_resolution;
