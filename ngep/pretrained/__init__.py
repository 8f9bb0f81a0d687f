# SPDX-License-Identifier: BSD-3-Clause
"""Pretrained marker models shipped with ngep, and the recipes that build them."""

__all__ = []
