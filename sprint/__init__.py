"""sprint"""
