#!/bin/sh
echo "pay-svc"
