# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Encrypted overlay networks: IPsec ESP in the host's kernel.

esp: what an encrypted overlay needs (kernel features, MTU headroom) and the
advice when it is missing; xfrm: reading the kernel's xfrm states to see
whether an overlay is really encrypted.
"""
