# syntax=docker/dockerfile:1
# nginx in front of the gateway, as an unprivileged user (uid 101), listening on 8080.
FROM nginxinc/nginx-unprivileged:1.27-alpine
COPY deploy/nginx/shopsense.conf /etc/nginx/conf.d/default.conf
EXPOSE 8080
