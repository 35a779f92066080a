//! Diagnosis: the stage an order is in, what blocks it, who acts next, and escalations.
