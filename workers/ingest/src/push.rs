//! HTTP push endpoint (in progress).
