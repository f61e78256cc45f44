#!/bin/sh
echo "${{ values.name }}"
